import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.resolve(here, '../../../node_modules/tsx/dist/esm/index.mjs');
const PROVISION = path.resolve(here, '../src/provision/index.ts');

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('private servers', () => {
  it('do not outlive a test runner killed with SIGKILL', async () => {
    const script = `const p = await import(${JSON.stringify(PROVISION)}); const s = await p.privateRedis(); console.log(s.port); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    expect(await accepts(port)).toBe(true);
    child.kill('SIGKILL');
    let open = true;
    for (let i = 0; i < 100 && open; i++) {
      await new Promise((r) => setTimeout(r, 50));
      open = await accepts(port);
    }
    expect(open).toBe(false);
  });
});
