import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '../errors/errors.js';
import { createSecretBox } from './secret-box.js';

const box = createSecretBox({ current: randomBytes(32), previous: [randomBytes(32)] });
const wellFormed = fc.string({ unit: 'binary', maxLength: 200 });

describe('secret box properties', () => {
  it('decrypt(encrypt(text, aad), aad) === text for any well-formed text and aad', () => {
    fc.assert(
      fc.property(wellFormed, fc.option(wellFormed, { nil: undefined }), (text, aad) => {
        expect(box.decrypt(box.encrypt(text, aad), aad)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('changing any one character of a ciphertext, or the aad, makes decryption fail', () => {
    const chars = fc.constantFrom(...'ABCabc019_-:=+/');
    fc.assert(
      fc.property(wellFormed, wellFormed, fc.nat(), chars, (text, aad, pos, c) => {
        const ct = box.encrypt(text, aad);
        const i = pos % ct.length;
        fc.pre(ct[i] !== c);
        const bad = ct.slice(0, i) + c + ct.slice(i + 1);
        expect(() => box.decrypt(bad, aad)).toThrow(CryptoError);
        expect(() => box.decrypt(ct, `${aad}x`)).toThrow(CryptoError);
      }),
      { numRuns: 1000 },
    );
  });
});
