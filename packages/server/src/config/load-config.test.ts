import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@vecron/sdk';
import { afterAll, describe, expect, it } from 'vitest';
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
});
