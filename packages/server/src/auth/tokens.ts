import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { JwtKey } from '../runtime/keys.js';

/** Signs and verifies API tokens: one pinned algorithm, `iss`, `aud`, `exp`, keys chosen by `kid`. */
export interface TokenService {
  /**
   * Signs a token for `sub` at token version `ver`. `use` says where it is accepted: `api`
   * (`Authorization: Bearer`) or `dashboard` (the browser's session cookie only). @default 'api'
   */
  sign(claims: { sub: string; ver: number; use?: TokenUse }): Promise<{ token: string; expiresAt: Date }>;
  /** The verified claims, or null for any invalid, expired, foreign or tampered token. */
  verify(token: string): Promise<{ sub: string; ver: number; use: TokenUse } | null>;
  /** Public keys as a JWKS document (for other services that verify vecron tokens). */
  jwks(): { keys: Array<Record<string, unknown>> };
}

/** Where a token is accepted: the API (Bearer) or the dashboard (session cookie). */
export type TokenUse = 'api' | 'dashboard';

/** Options of {@link createTokenService}. */
export interface TokenServiceOptions {
  algorithm: 'ES256' | 'RS256' | 'EdDSA';
  /** The first key with a private key signs; every key verifies (rotation: see docs/operations.md). */
  keys: JwtKey[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Creates the token service. */
export function createTokenService(o: TokenServiceOptions): TokenService {
  const pub = new Map<string, KeyObject>(o.keys.map((k) => [k.kid, 'private_key_pem' in k ? createPublicKey(createPrivateKey(k.private_key_pem)) : createPublicKey(k.public_key_pem)]));
  const first = o.keys.find((k): k is Extract<JwtKey, { private_key_pem: string }> => 'private_key_pem' in k);
  if (!first) throw new Error('no JWT signing key (every key is verify-only)');
  const signer = { kid: first.kid, key: createPrivateKey(first.private_key_pem) };
  return {
    async sign({ sub, ver, use = 'api' }) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + o.ttlSeconds;
      const token = await new SignJWT({ ver, use })
        .setProtectedHeader({ alg: o.algorithm, kid: signer.kid, typ: 'JWT' })
        .setIssuer(o.issuer)
        .setAudience(o.audience)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(signer.key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify<JWTPayload & { ver?: unknown; use?: unknown }>(
          token,
          (header) => {
            const key = header.kid ? pub.get(header.kid) : undefined;
            if (!key) throw new Error('unknown kid');
            return key;
          },
          { algorithms: [o.algorithm], issuer: o.issuer, audience: o.audience, requiredClaims: ['exp', 'sub', 'iat'] },
        );
        if (typeof payload.sub !== 'string' || typeof payload.ver !== 'number') return null;
        // Tokens from before `use` existed were API tokens.
        const use = payload.use === undefined ? 'api' : payload.use;
        if (use !== 'api' && use !== 'dashboard') return null;
        return { sub: payload.sub, ver: payload.ver, use };
      } catch {
        return null;
      }
    },
    jwks() {
      return { keys: [...pub].map(([kid, key]) => ({ ...key.export({ format: 'jwk' }), kid, alg: o.algorithm, use: 'sig' })) };
    },
  };
}
