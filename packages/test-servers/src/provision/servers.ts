import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findServerBinaries, INSTALL_HINTS } from './binaries.js';
import type { ServerKind } from './binaries.js';
import { freePort } from './free-port.js';
import { serverProcess } from './server-process.js';
import type { PrivateServer } from './server-process.js';

const asRoot = (): boolean => process.getuid?.() === 0;

function binaries<K extends ServerKind>(kind: K): NonNullable<ReturnType<typeof findServerBinaries>[K]> {
  const found = findServerBinaries()[kind];
  if (!found) throw new Error(`cannot start a private ${kind} server: its binaries are missing. Install ${INSTALL_HINTS[kind]}`);
  return found as NonNullable<ReturnType<typeof findServerBinaries>[K]>;
}

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function userIds(name: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim()),
  };
}

/** `pg_isready` exits 0 only once the server accepts connections (1 while it starts up or recovers). */
function postgresAccepts(pgIsready: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(pgIsready, ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-t', '2'], { timeout: 5_000 }, (err) => resolve(!err));
  });
}

/**
 * A private PostgreSQL cluster: `initdb` into a temp folder (as the `postgres` OS user when run as
 * root, since PostgreSQL refuses root), trust auth on 127.0.0.1, durability off (test data only).
 * `url` is the superuser's URL to the `postgres` database.
 */
export async function privatePostgres(opts: { maxConnections?: number } = {}): Promise<PrivateServer> {
  const bin = binaries('postgres');
  const port = await freePort();
  const dir = tempDir('vecron-pg-');
  const runAs = asRoot() ? 'postgres' : undefined;
  if (runAs) {
    const { uid, gid } = userIds(runAs);
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const initArgs = ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
  execFileSync(runAs ? 'runuser' : bin.initdb, runAs ? ['-u', runAs, '--', bin.initdb, ...initArgs] : initArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = serverProcess({
    what: 'PostgreSQL',
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    command: [
      bin.postgres, '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', `max_connections=${opts.maxConnections ?? 300}`, '-c', 'shared_buffers=64MB', '-c', 'log_min_messages=warning',
    ],
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
    stopSignal: 'INT',
    ...(runAs ? { runAs } : {}),
    dir,
    ready: () => postgresAccepts(bin.pgIsready, port),
  });
  await server.start();
  return server;
}

/**
 * A private MariaDB server: `mariadb-install-db` into a temp folder, `root` without a password on
 * 127.0.0.1 and a `test` database (as on a fresh Debian install). `url` is `mysql://root@…/test`.
 */
export async function privateMariadb(): Promise<PrivateServer> {
  const bin = binaries('mariadb');
  const port = await freePort();
  const dir = tempDir('vecron-mariadb-');
  const data = path.join(dir, 'data');
  const user = asRoot() ? ['--user=root'] : [];
  execFileSync(bin.installDb, ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const init = path.join(dir, 'init.sql');
  writeFileSync(init, [
    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';",
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
    'CREATE DATABASE IF NOT EXISTS test;',
  ].join('\n'));
  const server = serverProcess({
    what: 'MariaDB',
    port,
    url: `mysql://root@127.0.0.1:${port}/test`,
    command: [
      bin.mariadbd, '--no-defaults', `--datadir=${data}`, ...user, `--port=${port}`, '--bind-address=127.0.0.1',
      `--socket=${path.join(dir, 'mysqld.sock')}`, `--pid-file=${path.join(dir, 'mysqld.pid')}`, '--skip-name-resolve',
      `--init-file=${init}`, '--innodb-buffer-pool-size=64M', '--innodb-flush-log-at-trx-commit=0', '--skip-log-bin',
      '--max-connections=300', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
    ],
    dir,
  });
  await server.start();
  return server;
}

/** A private nats-server with JetStream on a file store in a temp folder. */
export async function privateNats(): Promise<PrivateServer> {
  const bin = binaries('nats');
  const port = await freePort();
  const dir = tempDir('vecron-nats-');
  const server = serverProcess({
    what: 'NATS',
    port,
    url: `nats://127.0.0.1:${port}`,
    command: [bin.natsServer, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    dir,
  });
  await server.start();
  return server;
}

/** A private redis-server without persistence. */
export async function privateRedis(): Promise<PrivateServer> {
  const bin = binaries('redis');
  const port = await freePort();
  const server = serverProcess({
    what: 'Redis',
    port,
    url: `redis://127.0.0.1:${port}`,
    command: [bin.redisServer, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', os.tmpdir()],
    dir: null,
  });
  await server.start();
  return server;
}
