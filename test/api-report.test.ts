/**
 * Issue 14: the public surface of every published package is committed as
 * `packages/<pkg>/api-report.md` (scripts/api-report.ts). A change to what a package exports, or to
 * the signature of an export, fails here until the report is regenerated with `pnpm api-report`,
 * so it shows in review. The root of `@vecron/sdk` stays what an embedder and a plugin author need.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiReports, publishedEntryPoints } from '../scripts/api-report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('API reports', () => {
  const reports = apiReports();

  it('one report per published package, covering each entry point of its exports', () => {
    const packages = publishedEntryPoints();
    expect([...reports.keys()].sort()).toEqual(packages.map((p) => p.dir).sort());
    for (const p of packages) {
      for (const e of p.entries) expect(reports.get(p.dir), `${p.dir}: ${e.specifier}`).toContain(`## \`${e.specifier}\``);
    }
  });

  it('the committed reports match the code (run `pnpm api-report` after changing a public API)', () => {
    const stale: string[] = [];
    for (const [dir, text] of reports) {
      let committed: string;
      try {
        committed = readFileSync(path.join(root, 'packages', dir, 'api-report.md'), 'utf8');
      } catch {
        committed = '(missing)';
      }
      if (committed !== text) stale.push(`packages/${dir}/api-report.md`);
    }
    expect(stale, 'stale API reports: run `pnpm api-report` and review the diff').toEqual([]);
  });

  it('the root of @vecron/sdk exports at most 64 runtime values (schedule math, calendars, templates and crypto have their own entry points)', () => {
    const sdk = reports.get('sdk')!;
    const rootSection = sdk.slice(sdk.indexOf('## `@vecron/sdk`'), sdk.indexOf('## `@vecron/sdk/'));
    const values = Number(/(\d+) of them runtime values/.exec(rootSection)?.[1]);
    expect(values).toBeGreaterThan(0);
    expect(values).toBeLessThanOrEqual(64);
    for (const moved of ['parseCron', 'renderTemplate', 'createSecretBox', 'createCalendarRegistry', 'solarToLunar']) {
      expect(rootSection, moved).not.toMatch(new RegExp(`^(function|const) ${moved}\\b`, 'm'));
    }
  });
});
