import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '@vecron/sdk/testing';

/**
 * `vecron <role>` as real child processes, for the server's multi-process tests: started from
 * the TypeScript sources (tsx, `vecron-source` condition), output captured.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../src/cli.ts');
const TSX = path.resolve(here, '../../../../node_modules/tsx/dist/esm/index.mjs');

/** One `vecron` process. */
export interface Proc {
  name: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  out: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts `vecron <args>` in `cwd` with exactly `env`; adds it to `procs` when given. */
export function launch(name: string, args: string[], opts: { cwd: string; env: Record<string, string>; procs?: Proc[] }): Proc {
  const child = spawn(process.execPath, ['--conditions=vecron-source', '--import', TSX, CLI, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const p: Proc = { name, child, out: () => text, exited };
  opts.procs?.push(p);
  return p;
}

/** Resolves once the process logged "vecron started"; throws with its output if it exited first. */
export const started = (p: Proc): Promise<boolean> =>
  until(() => {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.out().slice(-3000)}`);
    return p.out().includes('"msg":"vecron started"');
  }, { timeoutMs: 120_000, what: `${p.name} to start` });
