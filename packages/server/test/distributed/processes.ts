import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecretKey } from '@vecron/sdk/crypto';
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

/** Where a test cluster keeps its state: PostgreSQL schema and NATS names (stream `<PREFIX>_<tag>`, subjects `<prefix>-<tag>.*`). */
export interface ClusterPlace {
  pgUrl: string;
  schema: string;
  natsUrl: string;
  /** Short name of the test (`rec`, `rot`, `srv`): stream, subjects and consumer are named after it and `tag`. */
  prefix: string;
  tag: string;
}

/** The NATS stream, work subject and consumer of a test cluster (what `natsQueue` takes in-process). */
export function clusterQueue(place: Pick<ClusterPlace, 'prefix' | 'tag'>): { stream: string; subject: string; consumer: string } {
  const { prefix, tag } = place;
  return { stream: `${prefix.toUpperCase()}_${tag}`, subject: `${prefix}-${tag}.work`, consumer: `${prefix}-${tag}-workers` };
}

/**
 * The environment every `vecron` process of a multi-process test shares: PATH, info logs, API on a
 * free port, no metrics listener, loopback HTTP targets allowed (the tests' targets listen there),
 * the PostgreSQL schema and the NATS stream, subjects and consumer of this test, a fresh encryption
 * key and JWT signing key. Everything else is the server's default unless the test adds it.
 */
export function clusterEnv(place: ClusterPlace): Record<string, string> {
  const { tag } = place;
  const queue = clusterQueue(place);
  const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    PATH: process.env.PATH ?? '',
    VECRON__LOG__LEVEL: 'info',
    VECRON__API__PORT: '0',
    VECRON__METRICS__ENABLED: 'false',
    // The HTTP steps call the test's own server on loopback: private addresses are refused by default.
    VECRON__EXECUTORS__ALLOW_HOSTS: '["127.0.0.1"]',
    VECRON__STORAGE__DATABASE_URL: place.pgUrl,
    VECRON__STORAGE__SCHEMA: place.schema,
    VECRON__QUEUE__NATS_SERVERS: place.natsUrl,
    VECRON__QUEUE__STREAM: queue.stream,
    VECRON__QUEUE__SUBJECT: queue.subject,
    VECRON__QUEUE__CONSUMER: queue.consumer,
    VECRON__QUEUE__EVENTS_SUBJECT: `${place.prefix}-${tag}.events`,
    VECRON__SECURITY__ENCRYPTION_KEY: generateSecretKey(),
    VECRON__AUTH__KEYS: JSON.stringify([{ kid: `k-${tag}`, private_key_pem: jwtKey }]),
  };
}
