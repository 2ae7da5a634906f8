import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '@vecron/sdk';
import { generateSecretKey } from '@vecron/sdk/crypto';
import type { SecretBoxKeys } from '@vecron/sdk/crypto';
import type { ServerConfig } from '../config/config-schema.js';

/** One JWT key: a signing key (private) or a verify-only key (public), by `kid`. */
export type JwtKey = { kid: string; private_key_pem: string } | { kid: string; public_key_pem: string };

/** True when the configuration runs on the embedded store (no PostgreSQL). */
export const isEmbedded = (config: ServerConfig): boolean => config.storage.database_url === '';

function keysDir(config: ServerConfig): string | null {
  return isEmbedded(config) && config.storage.data_dir !== '' ? path.resolve(config.storage.data_dir, 'keys') : null;
}

function readOrCreate<T>(file: string, make: () => T, encode: (v: T) => string, decode: (s: string) => T): T {
  if (existsSync(file)) return decode(readFileSync(file, 'utf8'));
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = make();
  writeFileSync(file, encode(value), { mode: 0o600, flag: 'wx' });
  return value;
}

/**
 * The AES-256-GCM key(s) for sensitive variables and webhook secrets: from config; in embedded
 * mode generated once into `{data_dir}/keys/encryption.key` (or per process when in memory).
 */
export function resolveEncryptionKeys(config: ServerConfig): SecretBoxKeys {
  const previous = config.security.previous_encryption_keys;
  if (config.security.encryption_key) return { current: config.security.encryption_key, previous };
  if (!isEmbedded(config)) {
    throw new ConfigError('server configuration', [{ path: '$.security.encryption_key', message: 'is required with a database_url (every process must share it)' }]);
  }
  const dir = keysDir(config);
  const current = dir
    ? readOrCreate(path.join(dir, 'encryption.key'), () => generateSecretKey(), (k) => `${k}\n`, (s) => s.trim())
    : generateSecretKey();
  return { current, previous };
}

function generateJwtKey(algorithm: ServerConfig['auth']['algorithm']): JwtKey {
  const pkcs8 = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const privateKey =
    algorithm === 'ES256' ? pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
    : algorithm === 'EdDSA' ? pkcs8(generateKeyPairSync('ed25519').privateKey)
    : pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  return { kid: `k-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`, private_key_pem: privateKey };
}

/**
 * JWT signing keys: from config (first signs, all verify); in embedded mode generated once into
 * `{data_dir}/keys/jwt-<algorithm>.json`, e.g. `jwt-ES256.json` (or per process when in memory).
 */
export function resolveJwtKeys(config: ServerConfig): JwtKey[] {
  if (config.auth.keys.length) return config.auth.keys;
  if (!isEmbedded(config)) {
    throw new ConfigError('server configuration', [{ path: '$.auth.keys', message: 'is required with a database_url (every api process must share them)' }]);
  }
  const dir = keysDir(config);
  if (!dir) return [generateJwtKey(config.auth.algorithm)];
  return readOrCreate(path.join(dir, `jwt-${config.auth.algorithm}.json`), () => [generateJwtKey(config.auth.algorithm)], (k) => JSON.stringify(k, null, 2), (s) => JSON.parse(s) as JwtKey[]);
}
