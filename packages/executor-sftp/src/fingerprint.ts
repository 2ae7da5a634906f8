import { createHash } from 'node:crypto';

/** A host-key fingerprint in canonical form: SHA-256 as unpadded base64, MD5 as lowercase hex. */
export interface Fingerprint {
  readonly algo: 'sha256' | 'md5';
  /** `SHA256:` digest as unpadded base64, or MD5 digest as 32 lowercase hex digits. */
  readonly value: string;
}

const SHA256_B64 = /^[A-Za-z0-9+/]{43}=?$/;
const MD5_HEX = /^[0-9a-f]{32}$/;

/**
 * Parses a fingerprint as `ssh-keygen -lf` prints it: `SHA256:<base64>` (OpenSSH ≥ 6.8) or the
 * legacy MD5 form `MD5:aa:bb:…`, `aa:bb:…` or 32 hex digits. A whole `ssh-keygen -lf` line
 * (`256 SHA256:… host (ED25519)`) is accepted too: its fingerprint token is used.
 *
 * @returns the canonical fingerprint, or `null` when the text is not a fingerprint.
 */
export function parseFingerprint(text: string): Fingerprint | null {
  const trimmed = text.trim();
  const tokens = trimmed.split(/\s+/);
  const token = tokens.length > 1 ? tokens.find((t) => /^(SHA256|MD5):/i.test(t)) : tokens[0];
  if (token === undefined) return null;
  if (/^SHA256:/i.test(token)) {
    const b64 = token.slice('SHA256:'.length);
    return SHA256_B64.test(b64) ? { algo: 'sha256', value: b64.replace(/=+$/, '') } : null;
  }
  const hex = token.replace(/^MD5:/i, '').toLowerCase();
  const bare = hex.includes(':') ? (/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/.test(hex) ? hex.replaceAll(':', '') : '') : hex;
  return MD5_HEX.test(bare) ? { algo: 'md5', value: bare } : null;
}

/** Formats a fingerprint the way `ssh-keygen -lf` prints it. */
export function formatFingerprint(fp: Fingerprint): string {
  return fp.algo === 'sha256' ? `SHA256:${fp.value}` : `MD5:${fp.value.match(/../g)!.join(':')}`;
}

/** Computes the SHA-256 fingerprint of a raw SSH public-key blob (the wire format of the host key). */
export function sha256Fingerprint(keyBlob: Buffer): Fingerprint {
  return { algo: 'sha256', value: createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '') };
}

/** Computes the legacy MD5 fingerprint of a raw SSH public-key blob. */
export function md5Fingerprint(keyBlob: Buffer): Fingerprint {
  return { algo: 'md5', value: createHash('md5').update(keyBlob).digest('hex') };
}

/** True when the raw key blob matches any of the pinned fingerprints. */
export function keyMatches(keyBlob: Buffer, pins: readonly Fingerprint[]): boolean {
  let sha: string | undefined;
  let md5: string | undefined;
  return pins.some((pin) => {
    if (pin.algo === 'sha256') return pin.value === (sha ??= sha256Fingerprint(keyBlob).value);
    return pin.value === (md5 ??= md5Fingerprint(keyBlob).value);
  });
}
