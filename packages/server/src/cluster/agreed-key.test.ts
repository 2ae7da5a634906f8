import { createSecretBox, generateSecretKey } from '@vecron/sdk/crypto';
import { describe, expect, it } from 'vitest';
import { createAgreedSecretBox } from './agreed-key.js';

describe('createAgreedSecretBox', () => {
  const [a, b, c] = [generateSecretKey(), generateSecretKey(), generateSecretKey()];
  const [A, B, C] = [a, b, c].map((k) => createSecretBox(k).keyId) as [string, string, string];

  it('encrypts with the first of its keys every live process lists; decrypts with any of its keys', () => {
    const box = createAgreedSecretBox({ current: c, previous: [b, a] });
    expect(box.keyId).toBe(C);
    expect(box.agree([[C, B, A], [B, A], [A, B]])).toBe(B);
    const made = box.encrypt('s3cret', 'aad');
    expect(made.split(':')[1]).toBe(B);
    expect(createSecretBox({ current: b }).decrypt(made, 'aad')).toBe('s3cret');
    expect(box.decrypt(createSecretBox(c).encrypt('x', 'y'), 'y')).toBe('x');
    expect(box.needsReencrypt(made)).toBe(false);
    expect(box.needsReencrypt(createSecretBox(c).encrypt('x'))).toBe(true);
    expect(box.agree([[C, B, A], [C, A]])).toBe(C);
    expect(box.encrypt('z').split(':')[1]).toBe(C);
  });

  it('with no live process, or no key known to all, stays with the configured key', () => {
    const box = createAgreedSecretBox({ current: a, previous: [b] });
    expect(box.agree([])).toBe(A);
    expect(box.agree([[A, B], [C]])).toBe(A);
    expect(box.preferredKeyId).toBe(A);
  });
});
