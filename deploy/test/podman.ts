/**
 * podman as this machine runs it: the vfs storage driver and runc (crun fails on these cgroups),
 * cgroupfs, explicit ulimits (the defaults are refused), and a storage root of its own so it never
 * meets another podman setup's storage driver. `VECRON_PODMAN_ROOT` moves it.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = process.env.VECRON_PODMAN_ROOT ?? '/var/tmp/vecron-podman';

/** Global options before every podman subcommand. */
export const PODMAN_GLOBAL = ['--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--runtime=runc', `--root=${ROOT}/storage`, `--runroot=${ROOT}/run`];
/** Options of `podman run` / `podman build` on this host. */
export const PODMAN_LIMITS = ['--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=4096:4096'];

/** The image the deploy tests build and run. */
export const IMAGE = 'localhost/vecron:test';

/** Runs podman and returns stdout; a failure carries stderr. */
export async function podman(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await run('podman', [...PODMAN_GLOBAL, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, env: opts.env ?? process.env });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`podman ${args.slice(0, 3).join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`, { cause: err });
  }
}

/** A started `podman run` in the foreground: its output and exit. */
export interface RunningContainer {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `podman run --name NAME … IMAGE ARGS`, attached, removed when it exits. */
export function runContainer(name: string, runArgs: string[], imageArgs: string[], image = IMAGE): RunningContainer {
  const child = spawn('podman', [...PODMAN_GLOBAL, 'run', '--rm', '--name', name, ...PODMAN_LIMITS, ...runArgs, image, ...imageArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, output: () => out, exited };
}

/** Removes containers by name, ignoring the ones that are gone. */
export async function removeContainers(names: string[]): Promise<void> {
  if (names.length) await podman(['rm', '--force', '--ignore', ...names]).catch(() => undefined);
}

/** Polls `fn` until it returns a truthy value. */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
