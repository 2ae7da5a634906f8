/**
 * Issue 12, "publishable packages": builds and packs every public package as npm would publish it,
 * installs the tarballs with plain `npm` into a scratch project (engine-strict on this Node),
 * type-checks a file that imports every entry point of every package with `skipLibCheck: false`,
 * runs it (ESM: a job end to end on the embedded default against a loopback HTTP server) and
 * `require()`s every entry point from CommonJS. Entry points are read from each package's
 * `exports`, so a new subpath is covered without touching this test.
 *
 * The npm cache lives in node_modules/.cache/vecron-pack-install, so a second run installs from
 * it without the network.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, 'node_modules/.cache/vecron-pack-install');
const scratch = path.join(os.tmpdir(), `vecron-pack-install-${process.pid}`);
const tarballs = path.join(scratch, 'tarballs');
const app = path.join(scratch, 'app');

interface Manifest { name: string; private?: boolean; exports: Record<string, unknown>; publishConfig?: { exports?: Record<string, unknown> }; files?: string[]; peerDependencies?: Record<string, string>; dependencies?: Record<string, string> }
const packages = readdirSync(path.join(root, 'packages'))
  .map((dir) => ({ dir: path.join(root, 'packages', dir), manifest: JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest }))
  .filter((p) => !p.manifest.private);
const entries = packages.flatMap((p) => Object.keys(p.manifest.exports).map((sub) => (sub === '.' ? p.manifest.name : `${p.manifest.name}${sub.slice(1)}`)));
const sh = async (cmd: string, args: string[], cwd: string): Promise<string> => {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_cache: path.join(cache, 'npm'), npm_config_update_notifier: 'false' } });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
};

beforeAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(tarballs, { recursive: true });
  mkdirSync(app, { recursive: true });
  // Build (tsup: ESM + .d.ts) and pack every public package, with pnpm as a release would.
  await sh('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], root);
  for (const p of packages) await sh('pnpm', ['pack', '--pack-destination', tarballs], p.dir);
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the published packages', () => {
  it('hold no sources, bench files, dev conditions or missing folders; a LICENSE and the metadata each', async () => {
    for (const file of readdirSync(tarballs)) {
      const list = (await sh('tar', ['tzf', path.join(tarballs, file)], tarballs)).split('\n').filter(Boolean);
      expect(list.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')), file).toEqual([]);
      expect(list.filter((f) => /(^|\/)(src|bench|test)\//.test(f)), file).toEqual([]);
      expect(list, file).toContain('package/LICENSE');
      const manifest = JSON.parse(await sh('tar', ['xzf', path.join(tarballs, file), '-O', 'package/package.json'], tarballs)) as Manifest & Record<string, unknown>;
      expect(JSON.stringify(manifest.exports), file).not.toContain('vecron-source');
      expect(manifest.publishConfig, file).toBeUndefined();
      for (const f of manifest.files ?? []) if (!f.startsWith('!')) expect(list.some((l) => l === `package/${f}` || l.startsWith(`package/${f}/`)), `${file}: files lists ${f}`).toBe(true);
      expect(manifest, file).toMatchObject({ license: 'Apache-2.0', repository: expect.any(Object), homepage: expect.any(String), bugs: expect.any(Object) });
      expect(manifest.sideEffects, file).toBeDefined();
      expect(manifest.dependencies?.zod === undefined || manifest.name === '@vecron/server', `${file}: zod is a peer`).toBe(true);
      // Declaration files have stable names (no content hash), so go-to-definition lands somewhere readable.
      expect(list.filter((f) => /-(?=[A-Za-z0-9_]*[A-Z0-9])[A-Za-z0-9_]{8}\.d\.ts$/.test(f)), file).toEqual([]);
    }
  });

  it('install with plain npm (engine-strict), type-check with skipLibCheck: false, run a job from ESM and load every entry from CommonJS', async () => {
    const deps: Record<string, string> = {};
    for (const f of readdirSync(tarballs)) {
      const name = packages.find((p) => f.startsWith(p.manifest.name.replace('@', '').replace('/', '-') + '-'))!.manifest.name;
      deps[name] = `file:../tarballs/${f}`;
    }
    // The application's own choices for the optional peers (the versions vecron is tested with).
    Object.assign(deps, { zod: '4.6.7', pg: '8.23.1', '@types/pg': '8.23.1', ioredis: '6.0.0', redlock: '5.0.0-beta.2', '@nats-io/transport-node': '3.3.1', '@nats-io/jetstream': '3.3.1', vitest: '4.1.12', '@types/node': '20.19.43' });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'bank-app', private: true, dependencies: deps }, null, 2));
    await sh('npm', ['install', '--prefer-offline', '--engine-strict', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);
    // One zod: the application's (a second copy is what broke type-checking with TS2740).
    expect(existsSync(path.join(app, 'node_modules/@vecron/sdk/node_modules/zod'))).toBe(false);

    const imports = entries.map((e, i) => `import * as entry${i} from '${e}';`).join('\n');
    writeFileSync(path.join(app, 'check.mts'), `${imports}
import http from 'node:http';
import { createCronSystem, ValidationError } from '@vecron/sdk';
import type { VecronErrorCode } from '@vecron/sdk';
import { httpExecutor } from '@vecron/executor-http';

const loaded = [${entries.map((_e, i) => `entry${i}`).join(', ')}].map((m) => Object.keys(m).length);
if (loaded.some((n) => n === 0)) throw new Error('an entry point exports nothing');

const api = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ count: 3 })));
await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
const base = \`http://127.0.0.1:\${(api.address() as { port: number }).port}\`;
const cron = createCronSystem({ executors: [httpExecutor()] });
await cron.start();
await cron.variables.set({ name: 'CORE_API', value: base });
const job = await cron.jobs.create({ name: 'pack-check', steps: [{ id: 'fetch', type: 'http', config: { url: '\${CORE_API}/settlements' } }] });
const done = await cron.executions.wait((await cron.trigger(job.id)).executionId, { timeoutMs: 60_000 });
const err = await cron.jobs.createFromJson({ nmae: 'x' }).catch((e: unknown) => e);
const code: VecronErrorCode | null = err instanceof ValidationError ? err.code : null;
await cron.stop();
api.close();
console.log(JSON.stringify({ status: done.status, body: (done.context.steps.fetch?.output as { body?: unknown }).body, name: (err as Error).name, printed: String(err).split(':')[0], code }));
`);
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: false, outDir: 'out', types: ['node'] }, files: ['check.mts'] }));
    await sh(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
    const esm = JSON.parse((await sh(process.execPath, ['out/check.mjs'], app)).trim().split('\n').pop()!);
    expect(esm).toEqual({ status: 'success', body: { count: 3 }, name: 'ValidationError', printed: 'ValidationError', code: 'VALIDATION_FAILED' });

    writeFileSync(path.join(app, 'check.cjs'), `const loaded = ${JSON.stringify(entries)}.map((e) => [e, Object.keys(require(e)).length]);
const { ValidationError, VecronError } = require('@vecron/sdk');
console.log(JSON.stringify({ loaded, instance: new ValidationError('x', []) instanceof VecronError }));
`);
    const cjs = JSON.parse((await sh(process.execPath, ['--no-warnings', 'check.cjs'], app)).trim().split('\n').pop()!) as { loaded: Array<[string, number]>; instance: boolean };
    expect(cjs.loaded.filter(([, n]) => n === 0)).toEqual([]);
    expect(cjs.loaded.map(([e]) => e)).toEqual(entries);
    expect(cjs.instance).toBe(true);
  }, 300_000);
});
