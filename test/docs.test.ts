/**
 * Issue 12, "docs true to the code": every TypeScript block in the READMEs and docs/ type-checks
 * against the packages as they are (strict, through the workspace sources), and the top README
 * example runs as written: it prints `success`, exits by itself, and a second run in the same
 * folder succeeds too (the job is updated, not created twice; the idempotency key returns the
 * first run). Before this, it printed `failed` and a second run threw ConflictError.
 *
 * A block may be preceded by `<!-- ts-prelude: … -->`, prepended to it when checking (declarations
 * a fragment relies on). Blocks are written under examples/.docs-check/ so that they resolve the
 * packages the way an application in this workspace does.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'examples/.docs-check');
const markdown = [
  'README.md',
  'README.vi.md',
  'examples/README.md',
  ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
  ...readdirSync(path.join(root, 'packages')).map((p) => `packages/${p}/README.md`),
].filter((f) => {
  try {
    readFileSync(path.join(root, f));
    return true;
  } catch {
    return false;
  }
});

interface Block { source: string; line: number; file: string; code: string }
const blocks: Block[] = [];
for (const source of markdown) {
  const text = readFileSync(path.join(root, source), 'utf8');
  const re = /(?:<!--\s*ts-prelude:([\s\S]*?)-->\s*\n)?^```(?:ts|typescript)\n([\s\S]*?)^```$/gm;
  let n = 0;
  for (const m of text.matchAll(re)) {
    n += 1;
    const line = text.slice(0, m.index).split('\n').length;
    const file = path.join(outDir, `${source.replace(/[^A-Za-z0-9]+/g, '_')}_${n}.ts`);
    blocks.push({ source, line, file, code: `${m[1] ? `${m[1].trim()}\n` : ''}${m[2]}\nexport {};\n` });
  }
}
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('TypeScript in the docs', () => {
  it('finds the blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(15);
  });

  it('every block type-checks (strict) against the packages', () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    for (const b of blocks) writeFileSync(b.file, b.code);
    const base = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.base.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const program = ts.createProgram(blocks.map((b) => b.file), { ...base.options, noEmit: true, skipLibCheck: true, types: ['node'] });
    const problems = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file && d.file.fileName.startsWith(outDir))
      .map((d) => {
        const b = blocks.find((x) => x.file === d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${b.source} (block at line ${b.line}, code line ${line + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 300_000); // one tsc over every block: ~40 s idle, over 120 s when the machine is shared

  it('README.vi.md gives the same two commands as README.md', () => {
    const commands = (f: string) => readFileSync(path.join(root, f), 'utf8').split('\n').filter((l) => l.startsWith('npx -y pnpm@'));
    expect(commands('README.vi.md')).toEqual(commands('README.md'));
    expect(commands('README.md')).toHaveLength(2);
  });
});

describe('API reference', () => {
  it('TypeDoc documents every entry point of every public package (its typedoc.json lists its exports)', () => {
    for (const dir of readdirSync(path.join(root, 'packages'))) {
      const manifest = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as { private?: boolean; exports: Record<string, { 'vecron-source': string }> };
      if (manifest.private) continue;
      const typedoc = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
      expect(typedoc.entryPoints, dir).toEqual(Object.values(manifest.exports).map((e) => e['vecron-source'].replace(/^\.\//, '')));
    }
    const rootConfig = JSON.parse(readFileSync(path.join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    const published = readdirSync(path.join(root, 'packages')).filter((d) => !(JSON.parse(readFileSync(path.join(root, 'packages', d, 'package.json'), 'utf8')) as { private?: boolean }).private);
    expect([...rootConfig.entryPoints].sort()).toEqual(published.map((d) => `packages/${d}`).sort());
  });
});

describe('the top README example', () => {
  it('prints success, exits by itself, and succeeds again when run a second time', async () => {
    const example = blocks.find((b) => b.source === 'README.md')!;
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, 'readme-run.ts');
    writeFileSync(file, example.code);
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'vecron-readme-'));
    try {
      for (const round of [1, 2]) {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=vecron-source', '--import', pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href, file], { cwd, timeout: 120_000 });
        expect(stdout.trim(), `run ${round}: ${stderr}`).toBe('success');
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 300_000);
});
