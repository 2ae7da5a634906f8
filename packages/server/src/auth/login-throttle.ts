import type { ServerConfig } from '../config/config-schema.js';
import type { RateLimiter } from '../http/rate-limiter.js';

/** What {@link checkLogin} decides about one sign-in attempt. */
export interface LoginDecision {
  allowed: boolean;
  retryAfterMs: number;
  /** Which limit refused it: `ip` or `user_ip`. */
  limit: 'ip' | 'user_ip' | null;
  /** How long to wait before answering (the per-user ceiling slows, it never locks out). */
  delayMs: number;
}

const pairKey = (username: string, ip: string): string => `login:user-ip:${username.toLowerCase()}:${ip}`;

/**
 * Sign-in limits that an attacker cannot turn against a user: attempts are refused per IP
 * (`login_max_per_ip`) and per (username, IP) (`login_max_per_user`), so failures from one address
 * lock only that address out of that account. Across all addresses, beyond
 * `login_slow_after_per_user` attempts in the window, every attempt for the user waits
 * `login_slow_ms` first: guessing slows down, the real user still signs in from their own address.
 */
export async function checkLogin(limiter: RateLimiter, auth: ServerConfig['auth'], username: string, ip: string): Promise<LoginDecision> {
  const windowMs = auth.login_window_seconds * 1000;
  const byIp = await limiter.hit(`login:ip:${ip}`, auth.login_max_per_ip, windowMs);
  if (!byIp.allowed) return { allowed: false, retryAfterMs: byIp.retryAfterMs, limit: 'ip', delayMs: 0 };
  const byPair = await limiter.hit(pairKey(username, ip), auth.login_max_per_user, windowMs);
  if (!byPair.allowed) return { allowed: false, retryAfterMs: byPair.retryAfterMs, limit: 'user_ip', delayMs: 0 };
  const byUser = await limiter.hit(`login:user:${username.toLowerCase()}`, auth.login_slow_after_per_user, windowMs);
  return { allowed: true, retryAfterMs: 0, limit: null, delayMs: byUser.allowed ? 0 : auth.login_slow_ms };
}

/** After a successful sign-in: that address's failures for the user are forgotten. */
export async function loginSucceeded(limiter: RateLimiter, username: string, ip: string): Promise<void> {
  await limiter.reset(pairKey(username, ip));
}

/** Waits `ms` (the per-user slowdown). */
export const slowDown = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
