import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed double-submit CSRF tokens. The browser holds a random HttpOnly, SameSite=Strict cookie;
 * pages carry `HMAC(secret, cookie | session)` in forms and in the `X-CSRF-Token` header htmx
 * sends. A POST passes only when the token matches the cookie it came with and the current
 * session, so a token cannot be replayed across sessions and a cookie planted by a sibling
 * subdomain is useless without the server's secret.
 */
export interface Csrf {
  /** A fresh random cookie value. */
  newCookie(): string;
  /** The token for a cookie value and session binding (e.g. the session cookie; '' without auth). */
  token(cookie: string, session: string): string;
  /** Constant-time check of a submitted token. */
  verify(cookie: string | undefined, session: string, submitted: string | undefined): boolean;
}

/** Creates the CSRF helper with a secret (random per process when not given). */
export function createCsrf(secret: string | Uint8Array = randomBytes(32)): Csrf {
  const sign = (cookie: string, session: string): Buffer => createHmac('sha256', secret).update(`${cookie}|${session}`).digest();
  return {
    newCookie: () => randomBytes(24).toString('base64url'),
    token: (cookie, session) => sign(cookie, session).toString('base64url'),
    verify(cookie, session, submitted) {
      if (!cookie || !submitted || cookie.length > 200 || submitted.length > 200) return false;
      const expected = sign(cookie, session);
      const given = Buffer.from(submitted, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
