import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../src/testing/free-port.js';

export { freePort };

async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A private server the fault tests may stop and start without disturbing the shared ones. */
export interface PrivateServer {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** Graceful stop (SIGTERM / pg_ctl fast). */
  stop(): Promise<void>;
  /** Stops and removes the data folder. */
  destroy(): Promise<void>;
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const found = (existsSync(root) ? readdirSync(root) : [])
    .sort((a, b) => Number(a) - Number(b))
    .map((v) => path.join(root, v, 'bin', name))
    .filter((p) => existsSync(p));
  if (!found.length) throw new Error(`PostgreSQL binary ${name} not found (apt-get install postgresql)`);
  return found[found.length - 1]!;
}

/** A private PostgreSQL cluster (initdb in a temp folder, run as the `postgres` OS user when root). */
export async function privatePostgres(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]): string => {
    const cmd = asRoot ? 'runuser' : bin;
    const full = asRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
    return execFileSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  };
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  const data = path.join(dir, 'data');
  run(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  const server: PrivateServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run(pgBin('pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
      await waitForPort(port);
    },
    async stop() {
      run(pgBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      try { await server.stop(); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

function processServer(port: number, url: string, bin: string, args: string[], dir: string | null): PrivateServer {
  let child: ChildProcess | null = null;
  const server: PrivateServer = {
    url,
    port,
    async start() {
      child = spawn(bin, args, { stdio: 'ignore' });
      await waitForPort(port);
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
    async destroy() {
      await server.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A private nats-server with JetStream on a file store in a temp folder. */
export async function privateNats(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-nats-'));
  const s = processServer(port, `nats://127.0.0.1:${port}`, 'nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], dir);
  await s.start();
  return s;
}

/** A private redis-server without persistence. */
export async function privateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const s = processServer(port, `redis://127.0.0.1:${port}`, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], null);
  await s.start();
  return s;
}
