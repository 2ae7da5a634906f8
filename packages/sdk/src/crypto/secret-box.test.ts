import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, CryptoError } from '../errors/errors.js';
import { maskSecret, SECRET_MASK } from './mask.js';
import { createSecretBox, generateSecretKey, isSecretBoxCiphertext } from './secret-box.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const box = createSecretBox(keyA);

function cryptoError(fn: () => unknown): CryptoError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe('CRYPTO_FAILED');
    return err as CryptoError;
  }
  throw new Error('expected a CryptoError');
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('createSecretBox: keys', () => {
  it('accepts the same key as bytes, hex, base64 and base64url', () => {
    const ct = box.encrypt('x');
    for (const form of [new Uint8Array(keyA), keyA.toString('hex'), keyA.toString('hex').toUpperCase(), keyA.toString('base64'), keyA.toString('base64url'), `${keyA.toString('base64')}\n`]) {
      const other = createSecretBox(form);
      expect(other.keyId).toBe(box.keyId);
      expect(other.decrypt(ct)).toBe('x');
    }
  });

  it('does not zero or keep the caller buffer', () => {
    const mine = Buffer.from(keyA);
    const b = createSecretBox(mine);
    expect(mine.equals(keyA)).toBe(true);
    mine.fill(7);
    expect(b.decrypt(box.encrypt('still works'))).toBe('still works');
  });

  it.each([
    ['31 bytes', randomBytes(31)],
    ['33 bytes', randomBytes(33)],
    ['short hex', randomBytes(16).toString('hex')],
    ['base64 of 16 bytes', randomBytes(16).toString('base64')],
    ['not an encoding', 'this is my password!'],
    ['empty', ''],
    ['all zero', Buffer.alloc(32)],
    ['all zero hex', '0'.repeat(64)],
  ])('rejects %s with a ConfigError that does not echo the key', (_label, key) => {
    const err = configError(() => createSecretBox(key));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.issues[0]!.path).toBe('key');
    if (typeof key === 'string' && key.length > 0) expect(err.message).not.toContain(key);
  });

  it('rejects wrong shapes and names the bad rotation key', () => {
    expect(configError(() => createSecretBox(42 as never)).issues.length).toBeGreaterThan(0);
    expect(configError(() => createSecretBox(undefined as never)).issues.length).toBeGreaterThan(0);
    const err = configError(() => createSecretBox({ current: keyA, previous: [keyB, 'nope'] }));
    expect(err.issues).toEqual([{ path: 'previous[1]', message: expect.any(String) as unknown as string }]);
  });

  it('generateSecretKey makes distinct valid keys', () => {
    const a = generateSecretKey();
    const b = generateSecretKey();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(createSecretBox(a).decrypt(createSecretBox(a).encrypt('k'))).toBe('k');
  });
});

describe('createSecretBox: encrypt / decrypt', () => {
  it('round-trips, including empty and non-ASCII text', () => {
    for (const text of ['', 's3cret', 'mật khẩu 🔑', 'x'.repeat(100_000)]) {
      expect(box.decrypt(box.encrypt(text))).toBe(text);
    }
  });

  it('has the documented format and a fresh IV every time', () => {
    const a = box.encrypt('same');
    const b = box.encrypt('same');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a.split(':')[1]).toBe(box.keyId);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
    expect(isSecretBoxCiphertext(a)).toBe(true);
    expect(isSecretBoxCiphertext('s3cret')).toBe(false);
    expect(isSecretBoxCiphertext(42)).toBe(false);
  });

  it('refuses text that UTF-8 cannot carry unchanged', () => {
    cryptoError(() => box.encrypt('bad \uD800 surrogate'));
  });

  it('fails with the wrong key', () => {
    const ct = box.encrypt('s3cret');
    const other = createSecretBox(keyB);
    expect(cryptoError(() => other.decrypt(ct)).message).toContain('neither the current key nor a previous one');
    // Same key id forged onto another key's box still fails authentication.
    const forged = ct.replace(`:${box.keyId}:`, `:${other.keyId}:`);
    expect(cryptoError(() => other.decrypt(forged)).message).toContain('decryption failed');
  });

  it('binds the associated data: a ciphertext cannot be moved to another variable', () => {
    const ct = box.encrypt('s3cret', 'variable:job-1:API_TOKEN');
    expect(box.decrypt(ct, 'variable:job-1:API_TOKEN')).toBe('s3cret');
    cryptoError(() => box.decrypt(ct, 'variable:job-2:API_TOKEN'));
    cryptoError(() => box.decrypt(ct));
    cryptoError(() => box.decrypt(box.encrypt('s3cret'), 'variable:job-1:API_TOKEN'));
    expect(box.decrypt(box.encrypt('s3cret', ''))).toBe('s3cret');
  });

  it('every single-character change anywhere is a CryptoError', () => {
    const ct = box.encrypt('tamper me', 'aad');
    const alphabet = 'AB_-az09:v=.';
    let checked = 0;
    for (let i = 0; i < ct.length; i++) {
      for (const c of alphabet) {
        if (c === ct[i]) continue;
        const bad = ct.slice(0, i) + c + ct.slice(i + 1);
        cryptoError(() => box.decrypt(bad, 'aad'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(ct.length * 10);
  });

  it('a flipped bit in the IV, the tag or the data is a CryptoError', () => {
    const ct = box.encrypt('tamper me too');
    const parts = ct.split(':');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      for (let byte = 0; byte < bytes.length; byte++) {
        for (const bit of [0x01, 0x80]) {
          const copy = Buffer.from(bytes);
          copy[byte]! ^= bit;
          const changed = [...parts];
          changed[index] = copy.toString('base64url');
          expect(cryptoError(() => box.decrypt(changed.join(':'))).message).toContain('decryption failed');
        }
      }
    }
  });

  it('truncation, extension, swapped parts and garbage are CryptoErrors', () => {
    const ct = box.encrypt('abc');
    const p = ct.split(':');
    const bad = [
      ct.slice(0, -1),
      `${ct}A`,
      `${ct}:`,
      [p[0], p[1], p[3], p[2], p[4]].join(':'),
      ['v2', ...p.slice(1)].join(':'),
      p.slice(1).join(':'),
      '',
      'plain text',
      'v1:::::',
    ];
    for (const b of bad) cryptoError(() => box.decrypt(b));
    expect(cryptoError(() => box.decrypt(['v2', ...p.slice(1)].join(':'))).message).toContain('unsupported ciphertext version "v2"');
    cryptoError(() => box.decrypt(42 as never));
  });

  it('data of another ciphertext under the same header fails', () => {
    const a = box.encrypt('aaaa').split(':');
    const b = box.encrypt('bbbb').split(':');
    cryptoError(() => box.decrypt([...a.slice(0, 4), b[4]].join(':')));
  });
});

describe('createSecretBox: key rotation', () => {
  it('encrypts with the current key and decrypts with current and previous ones', () => {
    const old = createSecretBox(keyA);
    const rotated = createSecretBox({ current: keyB, previous: [keyA] });
    const oldCt = old.encrypt('s3cret', 'v:X');
    const newCt = rotated.encrypt('s3cret', 'v:X');
    expect(newCt.split(':')[1]).toBe(rotated.keyId);
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(rotated.decrypt(oldCt, 'v:X')).toBe('s3cret');
    expect(rotated.decrypt(newCt, 'v:X')).toBe('s3cret');
    cryptoError(() => old.decrypt(newCt, 'v:X'));
  });

  it('reencrypt moves old ciphertexts to the current key', () => {
    const rotated = createSecretBox({ current: keyB, previous: [keyA, keyA, keyB] });
    const oldCt = createSecretBox(keyA).encrypt('s3cret', 'v:X');
    expect(rotated.needsReencrypt(oldCt)).toBe(true);
    const fresh = rotated.reencrypt(oldCt, 'v:X');
    expect(rotated.needsReencrypt(fresh)).toBe(false);
    expect(createSecretBox(keyB).decrypt(fresh, 'v:X')).toBe('s3cret');
    cryptoError(() => rotated.reencrypt(oldCt, 'v:Y'));
  });

  it('once a key is dropped, its ciphertexts fail clearly', () => {
    const oldCt = createSecretBox(keyA).encrypt('s3cret');
    const err = cryptoError(() => createSecretBox({ current: keyB }).decrypt(oldCt));
    expect(err.details).toMatchObject({ keyId: createSecretBox(keyA).keyId });
  });
});

describe('maskSecret', () => {
  it('is constant and never reveals length or emptiness', () => {
    expect(SECRET_MASK).toBe('••••••');
    for (const v of ['', 'a', 's3cret', 'x'.repeat(1000), undefined, null, 42]) expect(maskSecret(v)).toBe(SECRET_MASK);
  });
});
