/**
 * Issue 14: the core's data is reached only through the storage port. No package but the SDK
 * imports the SDK's internals or runs SQL on the core's tables; the server's SQL touches its own
 * tables (owner vecron-server) only. A foreign key from a server table to a core one
 * (`REFERENCES vecron_jobs`) is a dependency, not a read, and is allowed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CORE_TABLES = ['vecron_jobs', 'vecron_schedules', 'vecron_executions', 'vecron_step_attempts', 'vecron_step_attempts_all', 'vecron_fire_ledger', 'vecron_variables', 'vecron_calendars', 'vecron_cluster_settings', 'vecron_dlq_discards', 'vecron_migrations', 'vecron_step_logs', 'vecron_fencing_seq', 'vecron_queue'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|tsx|js|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Every package's production source except the SDK's. */
const files = readdirSync(path.join(repoRoot, 'packages'))
  .filter((p) => p !== 'sdk')
  .flatMap((p) => {
    try {
      return sourceFiles(path.join(repoRoot, 'packages', p, 'src'));
    } catch {
      return [];
    }
  });

/** Source without comments, so a comment may name a table. */
const code = (file: string): string => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
const rel = (f: string): string => path.relative(repoRoot, f);

describe('storage boundary', () => {
  it('finds the sources it checks (the server\'s among them)', () => {
    expect(files.some((f) => rel(f) === 'packages/server/src/routes/dlq.ts')).toBe(true);
    expect(files.length).toBeGreaterThan(50);
  });

  it('no package but the SDK reaches the SDK\'s internals (cron.internals, internal modules, deep imports)', () => {
    const offenders = files.filter((f) => /\.internals\b|internalsOf|sqlClientOf|@vecron\/sdk\/src|sdk\/src\/internal/.test(code(f))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('no SQL on the core\'s tables outside the SDK (the server\'s SQL is on its own tables)', () => {
    const offenders = files.flatMap((f) => {
      const text = code(f).replace(/REFERENCES\s+vecron_\w+/g, '');
      return CORE_TABLES.filter((t) => new RegExp(`\\b${t}\\b`).test(text)).map((t) => `${rel(f)}: ${t}`);
    });
    expect(offenders).toEqual([]);
  });

  it('no storage exposes a raw SQL seam through the port', () => {
    const port = readFileSync(path.join(repoRoot, 'packages/sdk/src/storage/port.ts'), 'utf8');
    expect(port).not.toMatch(/readonly sql\b|\bsql\?:/);
    const system = readFileSync(path.join(repoRoot, 'packages/sdk/src/create-cron-system.ts'), 'utf8');
    expect(system).not.toMatch(/readonly internals\b/);
  });
});
