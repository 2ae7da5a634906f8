import { createSecretBox, generateSecretKey } from '@vecron/sdk/crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { reencryptSecrets } from '../src/secrets/reencrypt.js';
import { createWebhookStore } from '../src/webhooks/webhook-store.js';
import { startTestServer } from './helpers.js';

/** Issue 17: `vecron secrets reencrypt` leaves no ciphertext under the old key. */

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('secrets reencrypt', () => {
  it('reports per key id, dry run writes nothing, the real run leaves no ciphertext under the old key and everything still decrypts with the new key alone', async () => {
    const oldKey = generateSecretKey();
    const newKey = generateSecretKey();
    server = await startTestServer({ security: { encryption_key: newKey, previous_encryption_keys: [oldKey] } });
    const oldBox = createSecretBox(oldKey);
    const rotated = createSecretBox({ current: newKey, previous: [oldKey] });
    const job = await server.cron.jobs.create({ name: 'hooked', steps: [{ id: 'say', type: 'echo', config: { message: 'hi' } }] });
    // Written by a process that still encrypted with the old key, and one with the new key.
    await server.sql.query(`INSERT INTO vecron_variables (scope, name, value, sensitive, updated_at) VALUES ('', 'OLD_TOKEN', $1, true, now()), ('', 'NEW_TOKEN', $2, true, now()), ('', 'PLAIN', 'p', false, now())`,
      [oldBox.encrypt('old-secret', 'variable::OLD_TOKEN'), rotated.encrypt('new-secret', 'variable::NEW_TOKEN')]);
    const hook = await createWebhookStore(server.sql, oldBox).create(job.id, null, new Date());
    // A ciphertext no key of this server knows: reported, left alone.
    await server.sql.query(`INSERT INTO vecron_variables (scope, name, value, sensitive, updated_at) VALUES ('', 'LOST', $1, true, now())`, [createSecretBox(generateSecretKey()).encrypt('x', 'variable::LOST')]);

    const keyIds = async (): Promise<string[]> => {
      const { rows } = await server!.sql.query<{ v: string }>(`SELECT value AS v FROM vecron_variables WHERE sensitive UNION ALL SELECT s->>'ciphertext' AS v FROM vecron_webhooks, jsonb_array_elements(secrets) s`);
      return rows.map((r) => r.v.split(':')[1]!).sort();
    };
    const before = await keyIds();
    const dry = await reencryptSecrets(server, rotated, { dryRun: true });
    expect(dry.byKeyId[oldBox.keyId]).toEqual({ variables: 1, webhook_secrets: 1 });
    expect(dry.byKeyId[rotated.keyId]).toEqual({ variables: 1, webhook_secrets: 0 });
    expect(dry.reencrypted).toEqual({ variables: 1, webhook_secrets: 1 });
    expect(dry.failed.map((f) => f.what)).toEqual(['variable LOST']);
    expect(await keyIds()).toEqual(before);

    const real = await reencryptSecrets(server, rotated, { dryRun: false });
    expect(real.reencrypted).toEqual({ variables: 1, webhook_secrets: 1 });
    expect(real.skippedConcurrentChanges).toBe(0);
    expect((await keyIds()).filter((k) => k === oldBox.keyId)).toEqual([]);
    // The old key can go: the new key alone decrypts what was under it.
    const newOnly = createSecretBox(newKey);
    const { rows } = await server.sql.query<{ value: string }>(`SELECT value FROM vecron_variables WHERE name = 'OLD_TOKEN'`);
    expect(newOnly.decrypt(rows[0]!.value, 'variable::OLD_TOKEN')).toBe('old-secret');
    const hookStore = createWebhookStore(server.sql, newOnly);
    const secrets = await hookStore.validSecrets(hook.webhook.id, new Date());
    expect(secrets?.secrets).toEqual([hook.secret]);
    // A second run has nothing left to do.
    expect((await reencryptSecrets(server, rotated, { dryRun: false })).reencrypted).toEqual({ variables: 0, webhook_secrets: 0 });
  });
});
