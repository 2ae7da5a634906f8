import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { waitForPort } from './free-port.js';

/** A private server on a free loopback port, which a test may stop and start again (the fault tests do). */
export interface PrivateServer {
  /** Connection URL (`postgres://…`, `mysql://…`, `redis://…`, `nats://…`). */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** Graceful stop (PostgreSQL: fast shutdown; the others: SIGTERM). */
  stop(): Promise<void>;
  /** Stops the server and removes its data folder. */
  destroy(): Promise<void>;
}

/**
 * Runs the server under a small shell watchdog that holds our end of a pipe on its stdin: a line
 * from {@link PrivateServer.stop}, or the end of file when the test runner dies (even by SIGKILL),
 * makes it signal the server. So no server outlives the run that started it.
 */
const WATCHDOG = 'exec 3<&0; sig="$1"; shift; "$@" </dev/null & c=$!; { read -r _ <&3; kill -s "$sig" "$c" 2>/dev/null; } & wait "$c"';

/** What {@link serverProcess} runs. */
export interface ServerProcessSpec {
  /** Name for messages ("PostgreSQL"). */
  what: string;
  port: number;
  url: string;
  /** The server's command line. */
  command: string[];
  /** Signal of a graceful stop. @default 'TERM' */
  stopSignal?: 'TERM' | 'INT';
  /** Run as this OS user (PostgreSQL refuses root). */
  runAs?: string;
  /** Removed by destroy(). */
  dir: string | null;
  /** Read on a failed start, to say why. */
  logFile?: string;
  startTimeoutMs?: number;
  /**
   * Whether the server serves requests yet, asked once its port accepts connections. PostgreSQL
   * listens while it still recovers and answers `57P03 the database system is starting up` until it
   * is done; a test that connected in that window failed at random. Without it, an open port is ready.
   */
  ready?: () => Promise<boolean>;
}

/** A {@link PrivateServer} for a server that runs in the foreground. */
export function serverProcess(spec: ServerProcessSpec): PrivateServer {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const server: PrivateServer = {
    url: spec.url,
    port: spec.port,
    async start() {
      if (child) return;
      const argv = ['sh', '-c', WATCHDOG, 'watchdog', spec.stopSignal ?? 'TERM', ...spec.command];
      const [cmd, ...args] = spec.runAs ? ['runuser', '-u', spec.runAs, '--', ...argv] : argv;
      output = '';
      const c = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      c.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4_000)));
      c.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4_000)));
      // An EPIPE on the watchdog's stdin after it exited is not an error of the test run.
      c.stdin!.on('error', () => undefined);
      child = c;
      exited = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.once('close', () => {
        if (child === c) child = null;
      });
      try {
        const timeoutMs = spec.startTimeoutMs ?? 30_000;
        const deadline = Date.now() + timeoutMs;
        const alive = (): boolean => c.exitCode === null && c.signalCode === null;
        await waitForPort(spec.port, { what: spec.what, alive, timeoutMs });
        if (spec.ready) await waitUntilReady(spec.ready, { what: spec.what, port: spec.port, alive, deadline, timeoutMs });
      } catch (err) {
        await server.stop();
        throw new Error(`${(err as Error).message}\n${output.trim()}`, { cause: err });
      }
    },
    async stop() {
      const c = child;
      if (!c) return exited;
      c.stdin!.end('\n');
      const kill = setTimeout(() => c.kill('SIGKILL'), 20_000);
      kill.unref();
      await exited;
      clearTimeout(kill);
    },
    async destroy() {
      await server.stop();
      if (spec.dir) rmSync(spec.dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Asks `ready` every 50 ms until it says yes; rejects when the server exits or the start budget runs out. */
async function waitUntilReady(
  ready: () => Promise<boolean>,
  o: { what: string; port: number; alive: () => boolean; deadline: number; timeoutMs: number },
): Promise<void> {
  for (;;) {
    if (await ready()) return;
    if (!o.alive()) throw new Error(`${o.what} exited on port ${o.port} before it was ready`);
    if (Date.now() > o.deadline) throw new Error(`${o.what} listened on port ${o.port} but was not ready within ${o.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
