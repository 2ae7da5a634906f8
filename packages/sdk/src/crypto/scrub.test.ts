import { describe, expect, it } from 'vitest';
import { createSecretScrubber, scrubDeep, secretForms } from './scrub.js';
import { SECRET_MASK as M } from './mask.js';

const SECRET = 'p@ss "word"/+ 2026';

describe('scrubbing encoded forms of a secret', () => {
  const scrub = createSecretScrubber([SECRET]);
  it('as is, JSON-escaped, URL-encoded (both flavours) and base64 at every alignment', () => {
    expect(scrub(`x ${SECRET} y`)).toBe(`x ${M} y`);
    expect(scrub(JSON.stringify({ v: SECRET }))).toBe(`{"v":"${M}"}`);
    expect(scrub(`q=${encodeURIComponent(SECRET)}&z=1`)).toBe(`q=${M}&z=1`);
    expect(scrub(`q=${encodeURIComponent(SECRET).replace(/%20/g, '+')}`)).toBe(`q=${M}`);
    for (const user of ['u', 'us', 'usr', 'admin']) {
      const basic = `Basic ${Buffer.from(`${user}:${SECRET}`).toString('base64')}`;
      const out = scrub(basic);
      expect(out).toContain(M);
      // Nothing left decodes back to the secret.
      expect(Buffer.from(out.replace('Basic ', '').replaceAll(M, ''), 'base64').toString('utf8')).not.toContain(SECRET);
    }
    expect(scrub(Buffer.from(SECRET).toString('base64url'))).toContain(M);
  });

  it('short values are not scrubbed; forms are longest first', () => {
    expect(secretForms('abc')).toEqual([]);
    const forms = secretForms(SECRET);
    expect(forms).toEqual([...forms].sort((a, b) => b.length - a.length));
  });

  it('scrubDeep keeps Dates and other non-plain objects, scrubs keys, and is depth-bounded', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const out = scrubDeep({ attempts: [{ started_at: at, note: SECRET }], [SECRET]: 1 }, scrub);
    expect(out.attempts[0]!.started_at).toBe(at);
    expect(out.attempts[0]!.note).toBe(M);
    expect(Object.keys(out)).toEqual(['attempts', M]);
    let deep: unknown = SECRET;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(JSON.stringify(scrubDeep(deep, scrub))).not.toContain(SECRET);
  });
});
