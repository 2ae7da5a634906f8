import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatFingerprint, keyMatches, md5Fingerprint, parseFingerprint, sha256Fingerprint } from './fingerprint.js';

const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
const sha = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
const md5 = createHash('md5').update(blob).digest('hex');

describe('parseFingerprint', () => {
  it('reads the SHA256 form ssh-keygen -lf prints, with or without padding', () => {
    expect(parseFingerprint(`SHA256:${sha}`)).toEqual({ algo: 'sha256', value: sha });
    expect(parseFingerprint(`SHA256:${sha}=`)).toEqual({ algo: 'sha256', value: sha });
  });

  it('picks the fingerprint out of a whole ssh-keygen -lf line', () => {
    expect(parseFingerprint(`256 SHA256:${sha} [127.0.0.1]:2222 (ED25519)`)).toEqual({ algo: 'sha256', value: sha });
  });

  it('reads the legacy MD5 forms', () => {
    const colons = md5.match(/../g)!.join(':');
    for (const text of [md5, colons, `MD5:${colons}`, colons.toUpperCase()]) {
      expect(parseFingerprint(text)).toEqual({ algo: 'md5', value: md5 });
    }
  });

  it('rejects what is not a fingerprint', () => {
    for (const text of ['', 'SHA256:short', `SHA1:${sha}`, 'zz'.repeat(16), `${sha}`, 'ssh-ed25519 AAAA']) {
      expect(parseFingerprint(text)).toBeNull();
    }
  });
});

describe('fingerprints of a key blob', () => {
  it('match what they were computed from and nothing else', () => {
    expect(formatFingerprint(sha256Fingerprint(blob))).toBe(`SHA256:${sha}`);
    expect(md5Fingerprint(blob).value).toBe(md5);
    expect(keyMatches(blob, [parseFingerprint(`SHA256:${sha}`)!])).toBe(true);
    expect(keyMatches(blob, [parseFingerprint(md5)!])).toBe(true);
    const other = Buffer.from(blob);
    other.writeUInt8(other.readUInt8(other.length - 1) ^ 1, other.length - 1);
    expect(keyMatches(other, [parseFingerprint(`SHA256:${sha}`)!, parseFingerprint(md5)!])).toBe(false);
    expect(keyMatches(blob, [])).toBe(false);
  });

  it('formats MD5 with colons', () => {
    expect(formatFingerprint({ algo: 'md5', value: md5 })).toBe(`MD5:${md5.match(/../g)!.join(':')}`);
  });
});
