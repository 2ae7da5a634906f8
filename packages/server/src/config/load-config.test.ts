import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@vecron/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { effectiveHeartbeatMs } from './config-schema.js';
import { envLayer, loadConfig } from './load-config.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('layers default.toml → local.toml → VECRON__SECTION__KEY → overrides', () => {
    writeFileSync(path.join(dir, 'local.toml'), '[api]\nport = 4000\nhost = "0.0.0.0"\n[worker]\nconcurrency = 8\n');
    const c = loadConfig({ configDir: dir, env: { VECRON__API__PORT: '5000', VECRON__ALERTS__WEBHOOK_URLS: '["https://ops.example/hook"]', VECRON__AUTH__INITIAL_ADMIN_PASSWORD: '123456789012', OTHER: 'x' } });
    expect(c.api).toMatchObject({ port: 5000, host: '0.0.0.0' });
    expect(c.worker.concurrency).toBe(8);
    expect(c.alerts.webhook_urls).toEqual(['https://ops.example/hook']);
    // A numeric-looking value of a string key stays a string.
    expect(c.auth.initial_admin_password).toBe('123456789012');
    expect(c.scheduler.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(loadConfig({ configDir: dir, overrides: { api: { port: 1 } } }).api.port).toBe(1);
  });

  it('a bad value or an unknown key names the key', () => {
    const bad = (env: Record<string, string>): ConfigError => {
      try {
        loadConfig({ configDir: '/nonexistent', env });
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('no error');
    };
    expect(bad({ VECRON__API__PORT: '70000' }).issues[0]!.path).toBe('$.api.port');
    expect(bad({ VECRON__SCHEDULER__TIMEZONE: 'Mars/Base' }).issues[0]!.path).toBe('$.scheduler.timezone');
    expect(bad({ VECRON__API__PROT: '1' }).message).toContain('prot');
    expect(bad({ VECRON__STORAGE__DATABASE_URL: 'mysql://x' }).issues[0]!.path).toBe('$.storage.database_url');
    expect(bad({ VECRON__AUTH__INITIAL_ADMIN_PASSWORD: 'short' }).issues[0]!.path).toBe('$.auth.initial_admin_password');
    expect(bad({ VECRON__QUEUE__EVENTS_SUBJECT: 'vecron.work.events' }).issues[0]!.path).toBe('$.queue.events_subject');
    expect(bad({ VECRON__QUEUE__STREAM: 'has space' }).issues[0]!.path).toBe('$.queue.stream');
    expect(() => envLayer({ VECRON__API: '1' })).toThrow(ConfigError);
  });

  it('recovery keys: defaults, environment, and the cross-key rules name the key', () => {
    const c = loadConfig({ configDir: '/nonexistent', env: { VECRON__WORKER__LEASE_MS: '3000', VECRON__QUEUE__ACK_WAIT_MS: '4000', VECRON__SCHEDULER__DISPATCH_INTERVAL_MS: '250' } });
    expect(c.worker).toMatchObject({ lease_ms: 3000, heartbeat_ms: 0 });
    expect(effectiveHeartbeatMs(c.worker)).toBe(1000);
    expect(c.queue).toMatchObject({ ack_wait_ms: 4000, max_deliver: 100, duplicate_window_ms: 10_000 });
    expect(c.scheduler).toMatchObject({ dispatch_interval_ms: 250, republish_after_ms: 30_000 });
    expect(c.storage).toMatchObject({ pool_max: 10, statement_timeout_ms: 30_000 });
    const issues = (env: Record<string, string>): string[] => {
      try {
        loadConfig({ configDir: '/nonexistent', env });
      } catch (err) {
        return (err as ConfigError).issues.map((i) => i.path);
      }
      return [];
    };
    expect(issues({ VECRON__WORKER__LEASE_MS: '2000', VECRON__WORKER__HEARTBEAT_MS: '2000' })).toEqual(['$.worker.heartbeat_ms']);
    expect(issues({ VECRON__QUEUE__ACK_WAIT_MS: '2000' })).toEqual(['$.queue.ack_wait_ms']);
    expect(issues({ VECRON__QUEUE__DUPLICATE_WINDOW_MS: '30000' })).toEqual(['$.queue.duplicate_window_ms']);
    expect(issues({ VECRON__SCHEDULER__REPUBLISH_AFTER_MS: '5000', VECRON__QUEUE__DUPLICATE_WINDOW_MS: '2000' })).toEqual([]);
    expect(issues({ VECRON__STORAGE__POOL_MAX: '0' })).toEqual(['$.storage.pool_max']);
    const pub = '-----BEGIN PUBLIC KEY-----\nAA\n-----END PUBLIC KEY-----';
    const priv = '-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----';
    expect(issues({ VECRON__AUTH__KEYS: JSON.stringify([{ kid: 'n', public_key_pem: pub }]) })).toEqual(['$.auth.keys']);
    expect(issues({ VECRON__AUTH__KEYS: JSON.stringify([{ kid: 'n', public_key_pem: pub }, { kid: 'n', private_key_pem: priv }]) })).toEqual(['$.auth.keys']);
    expect(issues({ VECRON__AUTH__KEYS: JSON.stringify([{ kid: 'n', public_key_pem: pub }, { kid: 'o', private_key_pem: priv }]) })).toEqual([]);
  });

  it('[alerts.email]: off by default, ${VAR} password from the environment, required keys when enabled', () => {
    expect(loadConfig({ configDir: '/nonexistent' }).alerts.email).toMatchObject({ enabled: false, port: 587, starttls: 'required', timeout_seconds: 10 });
    const email = { enabled: true, host: 'smtp.bank.test', username: 'vecron', password: '${SMTP_PW}', from: 'vecron <ops@bank.test>', to: ['a@bank.test'] };
    const c = loadConfig({ configDir: '/nonexistent', env: { SMTP_PW: 's3cret' }, overrides: { alerts: { email: email as never } } });
    expect(c.alerts.email).toMatchObject({ host: 'smtp.bank.test', password: 's3cret', to: ['a@bank.test'] });
    const err = (f: () => unknown): ConfigError => {
      try {
        f();
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    };
    expect(err(() => loadConfig({ configDir: '/nonexistent', env: {}, overrides: { alerts: { email: email as never } } })).issues[0]).toMatchObject({ path: '$.alerts.email.password', message: expect.stringContaining('SMTP_PW') });
    const bad = err(() => loadConfig({ configDir: '/nonexistent', overrides: { alerts: { email: { enabled: true } as never } } }));
    expect(bad.issues.map((i) => i.path).sort()).toEqual(['$.alerts.email.from', '$.alerts.email.host', '$.alerts.email.to']);
    expect(err(() => loadConfig({ configDir: '/nonexistent', env: { VECRON__ALERTS__EMAIL: '{"to":["not-an-address"]}' } })).issues[0]!.path).toBe('$.alerts.email.to[0]');
  });
});
