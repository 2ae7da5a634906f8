import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeConfig } from './node-main.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, 'node-main.ts');
const sdkRoot = path.resolve(here, '../../..');

/** One spawned vecron process. */
export interface Node {
  readonly name: string;
  readonly config: NodeConfig;
  child: ChildProcess;
  /** stdout+stderr lines of every incarnation. */
  readonly lines: string[];
  /** Exit events of every incarnation: code / signal, and whether the harness caused it. */
  readonly exits: Array<{ pid: number; code: number | null; signal: NodeJS.Signals | null; expected: boolean; at: number }>;
  pid(): number;
}

/** Spawns and tracks harness processes; every exit not caused by the harness is recorded as unexpected. */
export function createCluster(logName = `run-${process.pid}-${Date.now()}`) {
  const nodes: Node[] = [];
  /** Every process's output also goes to a file here, for post-mortems. */
  const logDir = path.join(os.tmpdir(), 'vecron-harness-logs', logName);
  mkdirSync(logDir, { recursive: true });
  const expected = new Set<number>();

  function launch(node: Node): Promise<void> {
    const child = spawn(process.execPath, ['--conditions=vecron-source', '--import', 'tsx', entry], {
      cwd: sdkRoot,
      env: { ...process.env, HARNESS_CONFIG: JSON.stringify(node.config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.child = child;
    const pid = child.pid!;
    let buf = '';
    let resolveReady: () => void;
    let rejectReady: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
    ready.catch(() => undefined); // a process killed while starting: callers that await still see it
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        node.lines.push(line);
        appendFileSync(path.join(logDir, `${node.name}.log`), `${line}\n`);
        if (line === 'HARNESS_READY') resolveReady();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      node.exits.push({ pid, code, signal, expected: expected.has(pid), at: Date.now() });
      rejectReady(new Error(`${node.name} exited before ready (code ${code}, signal ${signal}):\n${node.lines.slice(-20).join('\n')}`));
    });
    return ready;
  }

  return {
    nodes,
    logDir,
    /** Spawns a process; waits until it is ready unless `awaitReady` is false (a process meant to crash early). */
    async spawn(name: string, config: NodeConfig, { awaitReady = true } = {}): Promise<Node> {
      const node: Node = { name, config, child: null as unknown as ChildProcess, lines: [], exits: [], pid: () => node.child.pid! };
      nodes.push(node);
      const ready = launch(node);
      if (awaitReady) await ready;
      return node;
    },
    /** Starts a new incarnation of a node (after a kill), optionally with another config. */
    async respawn(node: Node, config?: Partial<NodeConfig>): Promise<void> {
      if (config) Object.assign(node.config, config);
      await launch(node);
    },
    /** `kill -9`, recorded as expected. Resolves once the process is gone. */
    async kill9(node: Node): Promise<number> {
      const pid = node.pid();
      expected.add(pid);
      const gone = new Promise<void>((r) => (node.child.exitCode !== null || node.child.signalCode !== null ? r() : node.child.once('exit', () => r())));
      node.child.kill('SIGKILL');
      await gone;
      return Date.now();
    },
    signal(node: Node, sig: NodeJS.Signals): void {
      node.child.kill(sig);
    },
    /** Marks a process's own (injected) crash as expected. */
    expectExit(pid: number): void {
      expected.add(pid);
    },
    /** Exits no one asked for (crashes). */
    unexpectedExits() {
      return nodes.flatMap((n) => n.exits.filter((e) => !e.expected && !expected.has(e.pid)).map((e) => ({ node: n.name, ...e })));
    },
    async stopAll(): Promise<void> {
      await Promise.all(nodes.map(async (n) => {
        const c = n.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        expected.add(c.pid!);
        const gone = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGCONT');
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(t);
      }));
    },
  };
}
