import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

it('the README demo (`pnpm demo`) runs jobs on the embedded default, retries, writes reports and stops cleanly', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vecron-demo-'));
  try {
    // The same command as the root package.json "demo" script.
    const child = spawn(process.execPath, ['--conditions=vecron-source', '--import', 'tsx', 'examples/demo/demo.ts', '--seconds', '13', '--data-dir', dataDir, '--port', '0'], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The dashboard it prints serves the jobs page, without sign-in, with the demo's job names.
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (!(url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1]) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(url, out).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('demo-exchange-rates');
    expect(html).toContain('demo-quartz-cron');
    expect(html).toContain('no sign-in');
    const code = await exited;
    expect(code, out).toBe(0);
    expect(out).toContain('job demo-exchange-rates: next fires');
    expect(out.match(/success → 3 rows in .*ty-gia-\d{8}-\d{6}\.csv/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(/success → 3 rows in .*usd\.csv/);
    expect(out).toMatch(/retry in \d+ ms/);
    expect(out).toContain('stopped');
    // Issue 12: readable lines only, no raw pino JSON between them (a retry's warning used to print one).
    expect(out).not.toMatch(/^\{"level"/m);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
