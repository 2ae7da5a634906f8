import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JwtKey } from '../runtime/keys.js';
import { createTokenService } from './tokens.js';

const pair = (): { priv: string; pub: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const service = (keys: JwtKey[]) => createTokenService({ algorithm: 'ES256', keys, issuer: 'vecron', audience: 'vecron-api', ttlSeconds: 600 });

describe('JWT keys', () => {
  it('a verify-only key (public_key_pem) verifies and never signs; the first private key signs', async () => {
    const a = pair();
    const b = pair();
    const s = service([{ kid: 'b', public_key_pem: b.pub }, { kid: 'a', private_key_pem: a.priv }]);
    const { token } = await s.sign({ sub: 'u1', ver: 1 });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid).toBe('a');
    const bSigned = await service([{ kid: 'b', private_key_pem: b.priv }]).sign({ sub: 'u2', ver: 3 });
    expect(await s.verify(bSigned.token)).toEqual({ sub: 'u2', ver: 3, use: 'api' });
    expect(s.jwks().keys.map((k) => k.kid).sort()).toEqual(['a', 'b']);
    expect(() => service([{ kid: 'b', public_key_pem: b.pub }])).toThrow(/verify-only/);
  });

  it("the three-step rotation needs no order between processes: at every step, a process one step ahead and one behind accept each other's tokens", async () => {
    const old = pair();
    const next = pair();
    const steps: JwtKey[][] = [
      [{ kid: 'old', private_key_pem: old.priv }],
      // 1. the new key, verify-only, everywhere
      [{ kid: 'old', private_key_pem: old.priv }, { kid: 'new', public_key_pem: next.pub }],
      // 2. sign with the new key; the old one verifies
      [{ kid: 'new', private_key_pem: next.priv }, { kid: 'old', public_key_pem: old.pub }],
      // 3. (after token_ttl_seconds) retire the old key
      [{ kid: 'new', private_key_pem: next.priv }],
    ];
    const services = steps.map(service);
    for (let k = 0; k + 1 < services.length; k++) {
      const behind = services[k]!;
      const ahead = services[k + 1]!;
      const fromBehind = (await behind.sign({ sub: `u${k}`, ver: 1 })).token;
      const fromAhead = (await ahead.sign({ sub: `u${k}`, ver: 1 })).token;
      expect(await behind.verify(fromAhead), `step ${k + 1} token at step ${k}`).not.toBeNull();
      expect(await ahead.verify(fromBehind), `step ${k} token at step ${k + 1}`).not.toBeNull();
    }
    // Only a token signed with the old key (steps 0-1) is refused once it is retired: step 3 waits token_ttl_seconds after step 2.
    expect(await services[3]!.verify((await services[1]!.sign({ sub: 'x', ver: 1 })).token)).toBeNull();
  });
});
