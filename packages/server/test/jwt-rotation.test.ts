/**
 * Issue 17 acceptance: JWT key rotation on a running cluster of 2 API processes and 2 workers
 * (startServer ×4 on one PostgreSQL schema and one set of NATS names), each API process moved
 * through the three steps one at a time, in either order, while work keeps running: no 401 for a
 * valid token on either API process, no failed execution.
 */
import { generateKeyPairSync, createPublicKey, randomUUID } from 'node:crypto';
import { generateSecretKey } from '@vecron/sdk/crypto';
import { testServers } from '@vecron/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import type { JwtKey } from '../src/runtime/keys.js';
import type { Role, RunningServer } from '../src/runtime/start-server.js';
import { ADMIN_NEW_PASSWORD, adminToken, client, startTestServer } from './helpers.js';

const tag = randomUUID().slice(0, 8);
const encryptionKey = generateSecretKey();
const pair = (): { private_key_pem: string; public_key_pem: string } => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), public_key_pem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
};
const OLD = pair();
const NEW = pair();
/** The three steps of docs/operations.md (and the starting point). */
const STEPS: Record<'start' | 'verify' | 'sign' | 'retire', JwtKey[]> = {
  start: [{ kid: 'old', private_key_pem: OLD.private_key_pem }],
  verify: [{ kid: 'old', private_key_pem: OLD.private_key_pem }, { kid: 'new', public_key_pem: NEW.public_key_pem }],
  sign: [{ kid: 'new', private_key_pem: NEW.private_key_pem }, { kid: 'old', public_key_pem: OLD.public_key_pem }],
  retire: [{ kid: 'new', private_key_pem: NEW.private_key_pem }],
};

const running = new Set<RunningServer>();
afterAll(async () => {
  for (const s of running) await s.stop();
});

async function start(role: Role, keys: JwtKey[]): Promise<RunningServer> {
  const s = await startTestServer({
    storage: { database_url: testServers().postgres, schema: `vecron_jwt_${tag}` },
    queue: { nats_servers: testServers().nats, stream: `JWT_${tag}`, subject: `jwt-${tag}.work`, consumer: `jwt-${tag}`, events_subject: `jwt-${tag}.events` },
    security: { encryption_key: encryptionKey },
    auth: { keys, login_max_per_user: 1_000, login_max_per_ip: 1_000 },
  }, { role });
  running.add(s);
  return s;
}
async function stop(s: RunningServer): Promise<void> {
  await s.stop();
  running.delete(s);
}
const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('JWT key rotation on a running 2-API, 2-worker cluster', () => {
  it('moving each API process through verify-only → sign → retire, one at a time: no 401 for a valid token anywhere, no failed execution', { timeout: 240_000 }, async () => {
    const apis = [await start('api', STEPS.start), await start('api', STEPS.start)];
    await start('worker', STEPS.start);
    await start('worker', STEPS.start);
    const first = await adminToken(apis[0]!.apiUrl!);
    const job = (await client(apis[0]!.apiUrl!).call('POST', '/api/jobs', { token: first, body: { name: 'during-rotation', max_retries: 0, steps: [{ id: 's', type: 'echo', retry_count: 0, config: { message: 'hi' } }] } })).body;
    const executions: string[] = [];
    const unauthorized: string[] = [];

    /** Every token issued so far that is still valid at this step, tried on both API processes; a job triggered through each. */
    const tokens: Array<{ token: string; kid: string }> = [{ token: first, kid: 'old' }];
    const exercise = async (label: string, acceptedKids: string[]): Promise<void> => {
      for (const [i, api] of apis.entries()) {
        const c = client(api.apiUrl!);
        // A fresh sign-in on this process; its token must be accepted by the other one too.
        const login = await c.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_NEW_PASSWORD } });
        if (login.status === 200) tokens.push({ token: login.body.token, kid: kidOf(login.body.token) });
        for (const t of tokens.filter((x) => acceptedKids.includes(x.kid))) {
          const me = await c.call('GET', '/api/auth/me', { token: t.token });
          if (me.status !== 200) unauthorized.push(`${label}: api ${i} answered ${me.status} to a token with kid ${t.kid}`);
        }
        const valid = tokens.filter((x) => acceptedKids.includes(x.kid)).at(-1)!.token;
        const r = await c.call('POST', `/api/jobs/${job.id}/trigger`, { token: valid, body: {} });
        if (r.status === 202) executions.push(r.body.execution_id);
        else unauthorized.push(`${label}: trigger on api ${i} answered ${r.status}`);
      }
    };
    const restart = async (i: number, keys: JwtKey[]): Promise<void> => {
      await stop(apis[i]!);
      apis[i] = await start('api', keys);
    };

    await exercise('start', ['old']);
    await restart(0, STEPS.verify);
    await exercise('api 0 verify, api 1 start', ['old']);
    await restart(1, STEPS.verify);
    await exercise('both verify', ['old']);
    // Signing moves first on api 1 this time: the order between processes must not matter.
    await restart(1, STEPS.sign);
    await exercise('api 0 verify, api 1 sign', ['old', 'new']);
    await restart(0, STEPS.sign);
    await exercise('both sign', ['old', 'new']);
    // After token_ttl_seconds old tokens have expired; here they are simply no longer tried.
    await restart(0, STEPS.retire);
    await exercise('api 0 retire, api 1 sign', ['new']);
    await restart(1, STEPS.retire);
    await exercise('both retire', ['new']);

    expect(unauthorized).toEqual([]);
    expect(tokens.some((t) => t.kid === 'new')).toBe(true);
    const done = await Promise.all(executions.map((id) => apis[0]!.cron.executions.wait(id, { timeoutMs: 60_000 })));
    expect(done.map((e) => e.status)).toEqual(executions.map(() => 'success'));
    expect(executions).toHaveLength(14);
  });
});
