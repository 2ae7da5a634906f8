/**
 * Issue 17: an API process given a new encryption key re-saved a variable while the workers had
 * only the old key → 18 CRYPTO_FAILED executions in 20 s. A process now encrypts only with a key
 * every live process advertises. Real processes' code (startServer ×3) on PostgreSQL and NATS.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createSecretBox, generateSecretKey } from '@vecron/sdk/crypto';
import { testServers } from '@vecron/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { reencryptCommand } from '../src/cli/commands.js';
import type { ServerConfigOverrides } from '../src/config/config-schema.js';
import { loadConfig } from '../src/config/load-config.js';
import type { Role, RunningServer } from '../src/runtime/start-server.js';
import { adminToken, client, startTestServer } from './helpers.js';

const tag = randomUUID().slice(0, 8);
const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OLD = generateSecretKey();
const NEW = generateSecretKey();
const OLD_ID = createSecretBox(OLD).keyId;
const NEW_ID = createSecretBox(NEW).keyId;

const running: RunningServer[] = [];
afterAll(async () => {
  for (const s of running.reverse()) await s.stop();
});

function overrides(keys: { current: string; previous: string[] }): ServerConfigOverrides {
  return {
    storage: { database_url: testServers().postgres, schema: `vecron_keys_${tag}` },
    queue: { nats_servers: testServers().nats, stream: `KEYS_${tag}`, subject: `keys-${tag}.work`, consumer: `keys-${tag}`, events_subject: `keys-${tag}.events` },
    security: { encryption_key: keys.current, previous_encryption_keys: keys.previous },
    auth: { keys: [{ kid: 'k1', private_key_pem: jwtKey }] },
  };
}
async function member(role: Role, keys: { current: string; previous: string[] }): Promise<RunningServer> {
  const s = await startTestServer(overrides(keys), { role });
  running.push(s);
  return s;
}

describe('encryption key agreement across live processes', () => {
  it('an API process on a new key encrypts with the old one until every live worker has the new one; no execution fails', { timeout: 120_000 }, async () => {
    const oldWorker = await member('worker', { current: OLD, previous: [] });
    const api = await member('api', { current: NEW, previous: [OLD] });
    const token = await adminToken(api.apiUrl!);
    const c = client(api.apiUrl!);
    const storedKeyId = async (): Promise<string> => {
      const { rows } = await api.sql.query<{ value: string }>(`SELECT value FROM vecron_variables WHERE name = 'PARTNER_TOKEN'`);
      return rows[0]!.value.split(':')[1]!;
    };
    const job = (await c.call('POST', '/api/jobs', { token, body: { name: 'uses-secret', max_retries: 0, steps: [{ id: 'e', type: 'echo', retry_count: 0, config: { message: 'token ${PARTNER_TOKEN}' } }] } })).body;
    const run = async (): Promise<string> => {
      const id = (await c.call('POST', `/api/jobs/${job.id}/trigger`, { token, body: {} })).body.execution_id;
      const done = await api.cron.executions.wait(id, { timeoutMs: 30_000 });
      return `${done.status}${done.error ? ` ${done.error.code}` : ''}`;
    };

    // The worker knows only the old key: the API keeps encrypting with it.
    expect((await c.call('PUT', '/api/variables/PARTNER_TOKEN', { token, body: { value: 'first-secret-value', sensitive: true } })).status).toBeLessThan(300);
    expect(await storedKeyId()).toBe(OLD_ID);
    const view = (await c.call('GET', '/api/cluster', { token })).body;
    expect(view.encrypting_key_id).toBe(OLD_ID);
    expect(view.drift).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'security.encryption_key', severity: 'warn' })]));
    expect(await run()).toBe('success');
    // `vecron secrets reencrypt` with the new key configured does not re-encrypt ahead of the worker either.
    const reencrypt = () => reencryptCommand(loadConfig({ configDir: '/nonexistent', overrides: overrides({ current: NEW, previous: [OLD] }) }), pino({ level: 'silent' }), false);
    const early = await reencrypt();
    expect(early.code).toBe(1);
    expect(early.lines[0]).toContain(`encryption_key ${NEW_ID} is unknown to live process(es) worker ${oldWorker.cluster.id}`);
    expect(await storedKeyId()).toBe(OLD_ID);

    // A worker that knows the new key replaces the old one: at its next heartbeat the API moves to the new key.
    await member('worker', { current: OLD, previous: [NEW] });
    await oldWorker.stop();
    running.splice(running.indexOf(oldWorker), 1);
    let encrypting = '';
    for (let i = 0; i < 150 && encrypting !== NEW_ID; i++) {
      encrypting = (await c.call('GET', '/api/cluster', { token })).body.encrypting_key_id;
      if (encrypting !== NEW_ID) await new Promise((r) => setTimeout(r, 100));
    }
    expect(encrypting).toBe(NEW_ID);
    await c.call('PUT', '/api/variables/PARTNER_TOKEN', { token, body: { value: 'second-secret-value', sensitive: true } });
    expect(await storedKeyId()).toBe(NEW_ID);
    expect(await run()).toBe('success');
    // Now the command moves everything to the new key: nothing stays under the old one.
    await api.sql.query(`INSERT INTO vecron_variables (scope, name, value, sensitive, updated_at) VALUES ('', 'LEGACY', $1, true, now())`, [createSecretBox(OLD).encrypt('legacy', 'variable::LEGACY')]);
    const done = await reencrypt();
    expect(done.code).toBe(0);
    const { rows } = await api.sql.query<{ v: string }>(`SELECT value AS v FROM vecron_variables WHERE sensitive`);
    expect(rows.map((r) => r.v.split(':')[1])).toEqual(rows.map(() => NEW_ID));
    expect(await run()).toBe('success');
  });
});
