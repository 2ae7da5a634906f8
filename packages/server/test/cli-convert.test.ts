/**
 * `vecron jobs convert|validate|import --from seed|quartz` as a user runs them: the real CLI in a
 * child process, stdout and stderr apart, exit codes. The seed files are read in place from the
 * shared test data (../shared/testdata/seed-jobs), never copied here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedTestdata } from '../../sdk/test/helpers/shared-testdata.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../src/cli.ts');
const TSX = path.resolve(here, '../../../node_modules/tsx/dist/esm/index.mjs');
const QUARTZ = path.join(here, 'fixtures/quartz');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-cli-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const seedDir = sharedTestdata('seed-jobs');
const seedFiles = readdirSync(seedDir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(seedDir, f));

function vecron(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, '--conditions=vecron-source', CLI, ...args], {
    cwd: tmp, encoding: 'utf8', timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', VECRON__LOG__LEVEL: 'error', VECRON__STORAGE__DATA_DIR: path.join(tmp, 'data') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vecron jobs … --from', () => {
  it('convert --from seed: the 13 files → one JSON array on stdout, a line per change on stderr, exit 0; validate --from seed exit 0', () => {
    const r = vecron('jobs', 'convert', '--from', 'seed', ...seedFiles);
    expect(r.code, r.stderr).toBe(0);
    const jobs = JSON.parse(r.stdout) as Array<{ name: string }>;
    expect(jobs).toHaveLength(13);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^converted 13 job\(s\) from 13 file\(s\), \d+ change\(s\)$/);
    expect(lines.slice(0, -1).every((l) => /^changed \/.*\.json: \$[.[]/.test(l))).toBe(true);
    expect(vecron('jobs', 'validate', '--from', 'seed', ...seedFiles).code).toBe(0);
    expect(vecron('jobs', 'validate', seedFiles[0]!).code).toBe(1); // as it is, refused
  }, 240_000);

  it('convert --from seed: a file that cannot be converted → exit 1 naming file and path, nothing on stdout', () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', steps: [{ id: 'a', type: 'http_request', url: 'https://a.vn', config: {} }] }));
    const r = vecron('jobs', 'convert', '--from', 'seed', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error   ${bad}: $.steps[0].url: unknown step field "url" (the step has a config already)`);
  }, 120_000);

  it('convert --from quartz --map: unmapped classes reported, their jobs disabled; import --from quartz creates the jobs', () => {
    const xml = path.join(QUARTZ, 'settlement-jobs.xml');
    const map = path.join(QUARTZ, 'class-map.json');
    const r = vecron('jobs', 'convert', '--from', 'quartz', '--map', map, xml);
    expect(r.code, r.stderr).toBe(0);
    const jobs = JSON.parse(r.stdout) as Array<{ name: string; enabled: boolean }>;
    expect(jobs.filter((j) => !j.enabled).map((j) => j.name)).toEqual(['ops.weeklyArchive', 'ops.rebuildIndexes']);
    expect(r.stderr).toContain('job-class vn.bank.ops.ArchiveJob: unmapped');
    const imp = vecron('jobs', 'import', '--from', 'quartz', '--map', map, xml);
    expect(imp.code, imp.stderr + imp.stdout).toBe(0);
    expect(imp.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(Array(7).fill('created'));
  }, 240_000);

  it('refuses an unknown --from and a --map without --from quartz', () => {
    expect(vecron('jobs', 'convert', '--from', 'cobol', 'x').stderr).toContain('--from must be one of seed, quartz (got "cobol")');
    const r = vecron('jobs', 'convert', '--from', 'seed', '--map', 'm.json', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--map MAP.json goes with --from quartz');
  }, 120_000);
});
