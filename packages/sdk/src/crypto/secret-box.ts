/**
 * Authenticated encryption of sensitive variables (AES-256-GCM, `node:crypto`), with key ids for
 * rotation and optional associated data that binds a ciphertext to where it belongs.
 *
 * Ciphertext format (ASCII, colon-separated, base64url without padding):
 * ```
 * v1:<key id, 8 chars>:<IV, 12 bytes>:<GCM tag, 16 bytes>:<ciphertext>
 * ```
 * The authenticated data is `"vecron:v1:" + keyId + "\0" + aad`, so the version, the key id and the
 * caller's `aad` are all covered by the tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, CryptoError, type ValidationIssue } from '../errors/errors.js';
import { zodIssues } from '../errors/zod-issues.js';
import { parseKey, type ParsedKey, type SecretKeyInput } from './keys.js';

/** Keys of a box that has been rotated: encrypt with `current`, decrypt with any. */
export interface SecretBoxKeys {
  /** The key new ciphertexts are made with. */
  current: SecretKeyInput;
  /** Keys that ciphertexts made earlier may still use. @default [] */
  previous?: readonly SecretKeyInput[];
}

/** Encrypts and decrypts short secrets; made by {@link createSecretBox}. */
export interface SecretBox {
  /** Id of the key new ciphertexts are made with (the current key), as it appears in ciphertexts. */
  readonly keyId: string;
  /**
   * Encrypts `plaintext` with the current key and a fresh random IV.
   * @param aad associated data the ciphertext is bound to (e.g. `variable:global:API_TOKEN`); the
   *   same value must be given to {@link SecretBox.decrypt}. `undefined` and `''` are the same.
   */
  encrypt(plaintext: string, aad?: string): string;
  /**
   * Decrypts a ciphertext made by this box's current or previous keys.
   * @throws CryptoError (code `CRYPTO_FAILED`) when the format is wrong, the key is unknown, the
   *   associated data differs or any character was altered — never returns garbage.
   */
  decrypt(ciphertext: string, aad?: string): string;
  /** True when `ciphertext` was not made with the current key (a candidate for {@link SecretBox.reencrypt}). */
  needsReencrypt(ciphertext: string): boolean;
  /** Decrypts with whichever key made it and encrypts again with the current key. */
  reencrypt(ciphertext: string, aad?: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHERTEXT = /^v1:([A-Za-z0-9_-]{8}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;
const LONE_SURROGATE = /\p{Cs}/u;

const keyInputSchema = z.union([z.instanceof(Uint8Array), z.string()]);
const secretBoxOptionsSchema = z.union([
  keyInputSchema,
  z.strictObject({ current: keyInputSchema, previous: z.array(keyInputSchema).optional() }),
]);

/**
 * Creates a {@link SecretBox} from a 256-bit key, or from `{ current, previous }` during a key
 * rotation. A key is 32 bytes (Buffer/Uint8Array), 64 hex characters, or base64/base64url of 32
 * bytes (`openssl rand -base64 32`).
 *
 * @throws ConfigError (code `CONFIG_INVALID`) when a key is missing, of the wrong length or a
 *   placeholder; the message names the offending key (`current`, `previous[1]`) but never its value.
 *
 * @example
 * ```ts
 * const box = createSecretBox({ current: process.env.KEY_2026, previous: [process.env.KEY_2025] });
 * const stored = box.encrypt('s3cret', 'variable:global:API_TOKEN');
 * box.decrypt(stored, 'variable:global:API_TOKEN'); // 's3cret'
 * ```
 */
export function createSecretBox(key: SecretKeyInput | SecretBoxKeys): SecretBox {
  const parsed = secretBoxOptionsSchema.safeParse(key);
  if (!parsed.success) {
    throw new ConfigError('encryption key', zodIssues(parsed.error).map(hideKeyValue));
  }
  const options = parsed.data;
  const isRotation = typeof options === 'object' && !(options instanceof Uint8Array);
  const issues: ValidationIssue[] = [];
  const current = parseKey(isRotation ? options.current : options, isRotation ? 'current' : 'key', issues);
  const previous = (isRotation ? (options.previous ?? []) : []).map((k, i) => parseKey(k, `previous[${i}]`, issues));
  if (issues.length > 0 || !current) throw new ConfigError('encryption key', issues);

  const keys = new Map<string, ParsedKey>([[current.id, current]]);
  for (const k of previous) {
    // A previous key equal to another one is harmless; skip it.
    if (k && !keys.has(k.id)) keys.set(k.id, k);
  }

  const encrypt = (plaintext: string, aad = ''): string => {
    if (typeof plaintext !== 'string') throw new CryptoError('plaintext must be a string');
    if (LONE_SURROGATE.test(plaintext)) throw new CryptoError('plaintext is not well-formed Unicode (lone surrogate)');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(current.id, aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, current.id, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join(':');
  };

  const decrypt = (ciphertext: string, aad = ''): string => {
    const { keyId, iv, tag, body } = split(ciphertext);
    const k = keys.get(keyId);
    if (!k) {
      throw new CryptoError(`ciphertext was made with key "${keyId}", which is neither the current key nor a previous one`, {
        details: { keyId, knownKeyIds: [...keys.keys()] },
      });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', k.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(keyId, aad));
      decipher.setAuthTag(tag);
      const bytes = Buffer.concat([decipher.update(body), decipher.final()]);
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new CryptoError('decryption failed: wrong key, different associated data, or the ciphertext was altered', {
        cause,
        details: { keyId },
      });
    }
  };

  return {
    keyId: current.id,
    encrypt,
    decrypt,
    needsReencrypt: (ciphertext) => split(ciphertext).keyId !== current.id,
    reencrypt: (ciphertext, aad) => encrypt(decrypt(ciphertext, aad), aad),
  };
}

/** True when `value` has the shape of a {@link SecretBox} ciphertext (it is not decrypted). */
export function isSecretBoxCiphertext(value: unknown): value is string {
  return typeof value === 'string' && CIPHERTEXT.test(value);
}

/** A fresh random 256-bit key, base64-encoded (what `createSecretBox` accepts). */
export function generateSecretKey(): string {
  return randomBytes(32).toString('base64');
}

function associatedData(keyId: string, aad: string): Buffer {
  if (typeof aad !== 'string') throw new CryptoError('associated data must be a string');
  return Buffer.from(`vecron:${VERSION}:${keyId}\u0000${aad}`, 'utf8');
}

function split(ciphertext: string): { keyId: string; iv: Buffer; tag: Buffer; body: Buffer } {
  const m = typeof ciphertext === 'string' ? CIPHERTEXT.exec(ciphertext) : null;
  if (!m) {
    const version = typeof ciphertext === 'string' ? ciphertext.split(':', 1)[0] : undefined;
    throw new CryptoError(
      version && version !== VERSION && /^v\d+$/.test(version)
        ? `unsupported ciphertext version "${version}"`
        : 'value is not a vecron ciphertext (expected v1:<key id>:<iv>:<tag>:<data>)',
    );
  }
  const iv = strictBase64url(m[2]!);
  const tag = strictBase64url(m[3]!);
  const body = strictBase64url(m[4]!);
  if (!iv || !tag || !body || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new CryptoError('value is not a vecron ciphertext (bad encoding)');
  }
  return { keyId: m[1]!, iv, tag, body };
}

/** Decodes base64url, refusing non-canonical text (so no two strings decrypt to the same bytes). */
function strictBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function hideKeyValue(issue: ValidationIssue): ValidationIssue {
  const path = issue.path === '$' ? 'key' : issue.path.replace(/^\$\.?/, '');
  return { path, message: 'must be a 32-byte key (Buffer/Uint8Array, 64 hex characters or base64) or { current, previous? }' };
}
