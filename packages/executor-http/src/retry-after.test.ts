import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const NOW = Date.parse('2026-01-15T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7_000);
    expect(parseRetryAfter(['3', '9'], NOW)).toBe(3_000);
  });

  it('reads an IMF-fixdate, RFC 850 and asctime HTTP-date relative to now', () => {
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thursday, 15-Jan-26 10:00:10 GMT', NOW)).toBe(10_000);
    expect(parseRetryAfter('Thu Jan 15 10:00:05 2026', NOW)).toBe(5_000 + new Date(NOW).getTimezoneOffset() * 60_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Wed, 14 Jan 2026 10:00:00 GMT', NOW)).toBe(0);
  });

  it('returns undefined for absent or malformed values', () => {
    for (const bad of [undefined, '', '  ', '-5', '1.5', 'soon', 'tomorrow at noon', '12abc']) {
      expect(parseRetryAfter(bad, NOW), String(bad)).toBeUndefined();
    }
  });
});
