import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (m = 19 MiB, t = 2, p = 1).
// `algorithm: 2` is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A hash made for a user that does not exist, so a failed login costs the same either way. */
let dummy: Promise<string> | null = null;

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Verifies a password; `stored` null still spends one verification (no user-enumeration timing). */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  dummy ??= hash('vecron-dummy-password', OPTIONS);
  try {
    return await verify(stored ?? (await dummy), password);
  } catch {
    return false;
  }
}

/** Rules for a new password: length 12–256. Returns the problem, or null when fine. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  return null;
}
