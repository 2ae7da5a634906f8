/**
 * Parsing of AES-256 keys given as bytes, hex or base64, and their key ids.
 * Error messages never contain key material.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { ValidationIssue } from '../errors/errors.js';

/** A 256-bit key: 32 bytes, 64 hex characters, or base64/base64url of 32 bytes. */
export type SecretKeyInput = Uint8Array | string;

/** A parsed key and its id. */
export interface ParsedKey {
  /** 8 base64url characters derived from the key (HMAC-SHA256), safe to store beside ciphertexts. */
  readonly id: string;
  readonly key: KeyObject;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes one key. Returns it, or pushes an issue (with `path`) and returns `undefined`.
 */
export function parseKey(input: unknown, path: string, issues: ValidationIssue[]): ParsedKey | undefined {
  let bytes: Buffer | undefined;
  if (input instanceof Uint8Array) {
    bytes = Buffer.from(input);
    if (bytes.length !== 32) {
      issues.push({ path, message: `must be 32 bytes (AES-256), got ${bytes.length}` });
      return undefined;
    }
  } else if (typeof input === 'string') {
    const text = input.trim();
    if (HEX_KEY.test(text)) {
      bytes = Buffer.from(text, 'hex');
    } else if (BASE64.test(text)) {
      bytes = Buffer.from(text, 'base64');
      if (bytes.length !== 32) {
        issues.push({
          path,
          message: `must be 32 bytes as 64 hex characters or base64 (44 characters); it decodes to ${bytes.length} bytes`,
        });
        return undefined;
      }
    } else {
      issues.push({ path, message: 'must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)' });
      return undefined;
    }
  } else {
    issues.push({ path, message: 'must be a Buffer/Uint8Array of 32 bytes, a 64-character hex string or a base64 string' });
    return undefined;
  }
  if (bytes.every((b) => b === bytes[0])) {
    issues.push({ path, message: 'is a placeholder (every byte is the same); generate a random key, e.g. `openssl rand -base64 32`' });
    return undefined;
  }
  const id = createHmac('sha256', bytes).update('vecron/secret-box/key-id').digest().subarray(0, 6).toString('base64url');
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return { id, key };
}
