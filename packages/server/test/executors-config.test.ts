import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@vecron/sdk';
import { testServers } from '@vecron/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd } from '../../executor-sftp/test/sshd-harness.js';
import type { SshdServer } from '../../executor-sftp/test/sshd-harness.js';
import { loadConfig } from '../src/config/load-config.js';
import { checkConnectionDrivers } from '../src/runtime/build-system.js';
import { startServer } from '../src/runtime/start-server.js';
import type { RunningServer } from '../src/runtime/start-server.js';

/**
 * Executors configured from the server configuration, as a deployment gives them: a named database
 * connection whose URL comes from the environment, SFTP host keys and a private-key folder, a file
 * root. Real PostgreSQL (the run's test server) and a real sshd.
 */

const roots = mkdtempSync(path.join(os.tmpdir(), 'vecron-exec-config-'));
const exchange = path.join(roots, 'exchange');
mkdirSync(exchange);
let sshd: SshdServer;
let server: RunningServer;

beforeAll(async () => {
  sshd = await startSshd();
  await sshd.mkdirRemote('outbox');
  const config = loadConfig({
    configDir: '/nonexistent',
    env: {
      CORE_DB_URL: testServers().postgres,
      VECRON__EXECUTORS__DATABASE_CONNECTIONS: JSON.stringify({ core: { database_type: 'postgresql', connection_string: '${CORE_DB_URL}', pool_max: 2 } }),
      VECRON__EXECUTORS__SFTP_PRIVATE_KEY_DIRS: JSON.stringify([path.dirname(sshd.clientKeyPath)]),
      VECRON__EXECUTORS__SFTP_KNOWN_HOSTS: JSON.stringify({ [`127.0.0.1:${sshd.port}`]: sshd.hostFingerprint }),
      VECRON__EXECUTORS__FILE_ALLOWED_ROOTS: JSON.stringify([exchange]),
      // The SFTP server is on loopback, which the outbound policy refuses unless allowed.
      VECRON__EXECUTORS__ALLOW_HOSTS: JSON.stringify(['127.0.0.1']),
    },
    overrides: { api: { port: 0 }, metrics: { enabled: false }, storage: { data_dir: '' }, log: { level: 'silent' }, auth: { initial_admin_password: 'Initial-Admin-Pass-1' }, scheduler: { poll_interval_ms: 100 } },
  });
  server = await startServer({ config, role: 'all' });
});
afterAll(async () => {
  await server?.stop();
  await sshd?.stop();
  rmSync(roots, { recursive: true, force: true });
});

describe('executors configured from [executors]', () => {
  it('a database step with "connection": "core" runs on the configured connection; an SFTP step reads private_key_path from the key folder and checks the pinned host key; a file step writes under an allowed root', async () => {
    const job = await server.cron.jobs.create({
      name: 'deployment-shaped',
      max_retries: 0,
      steps: [
        { id: 'q', type: 'database', config: { database_type: 'postgresql', connection: 'core', query: "SELECT 42 AS answer, current_setting('port') AS port" } },
        { id: 'w', type: 'file_processing', config: { operation: 'write', destination_path: `${exchange}/answer.csv`, format: 'csv', data_source: '{{steps.q.output.rows}}' } },
        // Read back from the allowed root into the execution's file area, which SFTP uploads from.
        { id: 'copy', type: 'file_processing', config: { operation: 'transform', source_path: `${exchange}/answer.csv`, destination_path: 'answer.csv', format: 'csv' } },
        { id: 'up', type: 'sftp', config: { operation: 'upload', host: '127.0.0.1', port: sshd.port, auth: { type: 'ssh_key', username: sshd.username, private_key_path: sshd.clientKeyPath }, local_path: 'answer.csv', remote_path: 'outbox/' } },
      ],
    });
    const { executionId } = await server.cron.trigger(job.id);
    const done = await server.cron.executions.wait(executionId, { timeoutMs: 60_000 });
    expect(done.status, JSON.stringify(done.error)).toBe('success');
    expect(readFileSync(path.join(exchange, 'answer.csv'), 'utf8')).toBe(`answer,port\n42,${new URL(testServers().postgres).port}\n`);
    expect(existsSync(path.join(sshd.home, 'outbox', 'answer.csv'))).toBe(true);
  });

  it('a connection URL that names an unset environment variable stops start-up naming the key', () => {
    const err = (() => {
      try {
        loadConfig({ configDir: '/nonexistent', env: { VECRON__EXECUTORS__DATABASE_CONNECTIONS: JSON.stringify({ core: { database_type: 'postgresql', connection_string: '${NOT_SET_ANYWHERE}' } }) } });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('$.executors.database_connections.core.connection_string');
    expect((err as ConfigError).message).toContain('NOT_SET_ANYWHERE');
  });

  it('a connection whose driver is not installed stops start-up naming the connection and the package', async () => {
    const config = loadConfig({ configDir: '/nonexistent', env: { VECRON__EXECUTORS__DATABASE_CONNECTIONS: JSON.stringify({ ledger: { database_type: 'oracle', connection_string: 'oracle://u:p@db:1521/x' }, core: { database_type: 'postgresql', connection_string: 'postgres://x@db/x' } }) } });
    const notInstalled = async (s: string): Promise<unknown> => {
      if (s === 'pg') return {};
      throw Object.assign(new Error(`Cannot find package '${s}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const err = await checkConnectionDrivers(config, notInstalled).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('$.executors.database_connections.ledger.database_type');
    expect((err as ConfigError).message).toContain('oracledb');
    expect((err as ConfigError).message).not.toContain('.core.');
  });

  it('a relative key folder or file root is refused naming the key', () => {
    expect(() => loadConfig({ configDir: '/nonexistent', env: { VECRON__EXECUTORS__SFTP_PRIVATE_KEY_DIRS: '["keys"]' } })).toThrow(/\$\.executors\.sftp_private_key_dirs\[0\]: must be an absolute path/);
    expect(() => loadConfig({ configDir: '/nonexistent', env: { VECRON__EXECUTORS__FILE_ALLOWED_ROOTS: '["data"]' } })).toThrow(/\$\.executors\.file_allowed_roots\[0\]: must be an absolute path/);
  });
});
