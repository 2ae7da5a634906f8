/**
 * docs/errors.md must list every stable error `code` the packages throw, and nothing else.
 *
 * Codes are collected from `packages/*\/src/**\/*.ts` (tests excluded) by the patterns the code
 * base uses to set a code: `super('CODE'`, `new SomeError('CODE'` / `new ApiError(401, 'CODE'`,
 * `code: 'CODE'` (also `code: a ? 'X' : 'Y'` and `code: x ?? 'Y'`), string values of objects named
 * `*_ERROR_CODES`, errno → code tables (`[1205, 'DB_LOCK_TIMEOUT']`) and executor-db's
 * `make('CODE', …)`. The doc lists a code as the first cell of a table row: `` | `CODE` | … ``.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const docPath = path.join(repoRoot, 'docs/errors.md');

/** What an error code looks like: upper case, digits and `_`, at least 3 characters. */
const CODE = "'([A-Z][A-Z0-9_]{2,})'";
const CODE_RE = /^[A-Z][A-Z0-9_]{2,}$/;

/**
 * Upper-case strings that match a pattern but are not vecron error codes, with the reason. Each
 * must still occur in the sources (checked below), so the list cannot go stale.
 */
const NOT_ERROR_CODES: Record<string, string> = {
  SHORT_READ: 'executor-sftp transfer.ts marks a plain Error; toSftpError turns it into SFTP_FAILED or SFTP_CONNECTION_LOST',
};

/** Error codes found in one TypeScript source text. */
function codesInSource(text: string): Set<string> {
  const found = new Set<string>();
  const add = (re: RegExp, group = 1): void => {
    for (const m of text.matchAll(re)) if (m[group]) found.add(m[group]);
  };
  // `super(<first argument>`: every upper-case literal in it (`super(options.code ?? 'TRANSIENT', …)`).
  for (const m of text.matchAll(/\bsuper\(\s*([^,\n]*)/g)) {
    for (const lit of (m[1] ?? '').matchAll(new RegExp(CODE, 'g'))) if (lit[1]) found.add(lit[1]);
  }
  add(new RegExp(`\\bnew\\s+[A-Z]\\w*\\(\\s*(?:\\d+\\s*,\\s*)?${CODE}`, 'g'));
  add(new RegExp(`\\[\\s*\\d+\\s*,\\s*${CODE}\\s*\\]`, 'g'));
  add(new RegExp(`\\bmake\\(\\s*${CODE}`, 'g'));
  // `code: <expression>` up to the next comma or line end; every upper-case literal in it.
  for (const m of text.matchAll(/\bcode\s*:\s*([^,\n]+)/g)) {
    for (const lit of (m[1] ?? '').matchAll(new RegExp(CODE, 'g'))) if (lit[1]) found.add(lit[1]);
  }
  // `const FOO_ERROR_CODES = { … }`: every string value (brace-matched body).
  for (const m of text.matchAll(/\b\w*_ERROR_CODES\s*=\s*\{/g)) {
    let depth = 1;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    while (i < text.length && depth > 0) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
      i++;
    }
    for (const v of text.slice(start, i).matchAll(new RegExp(`:\\s*${CODE}`, 'g'))) if (v[1]) found.add(v[1]);
  }
  return found;
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        out.push(p);
      }
    }
  };
  for (const pkg of readdirSync(path.join(repoRoot, 'packages'), { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const src = path.join(repoRoot, 'packages', pkg.name, 'src');
    try {
      walk(src);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
    }
  }
  return out;
}

/** Code → files (relative) that set it. */
function codesInRepo(): Map<string, string[]> {
  const byCode = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    for (const code of codesInSource(readFileSync(file, 'utf8'))) {
      const list = byCode.get(code) ?? [];
      list.push(path.relative(repoRoot, file));
      byCode.set(code, list);
    }
  }
  return byCode;
}

/** Codes docs/errors.md lists: the first cell of a table row, written as `CODE`. */
function codesInDoc(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const m of markdown.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)) if (m[1] && CODE_RE.test(m[1])) found.add(m[1]);
  return found;
}

describe('code scanner', () => {
  it('finds codes in every pattern the code base uses', () => {
    const sample = [
      "super('ALPHA_ONE', message, options, true);",
      "super(options.code ?? 'NU_THIRTEEN', message, { ...options, retryable: false });",
      "super(\n      'XI_FOURTEEN',\n      `unknown ${type}`,\n    );",
      "throw new VecronError('BETA_TWO', `x`, { retryable: true });",
      "throw new ApiError(401, 'GAMMA_THREE', 'nope');",
      "throw new NonRetryableError('plain message', { code: 'DELTA_FOUR', details });",
      "return { status, body: { error: { code: status === 503 ? 'EPS_FIVE' : 'ZETA_SIX', message } } };",
      "return { name: err.name, code: (err as { code?: string }).code ?? 'ETA_SEVEN', message };",
      "export const X_ERROR_CODES = {\n  /** doc {with braces} */\n  a: 'THETA_EIGHT',\n  b: 'IOTA_NINE',\n} as const;",
      "const M = new Map([[1205, 'KAPPA_TEN'], [1213, 'LAMBDA_ELEVEN']]);",
      "if (x) return make('MU_TWELVE', true, details);",
      "ctx.addIssue({ code: 'custom', path: ['x'], message: 'NOT_A_CODE here' });",
    ].join('\n');
    expect([...codesInSource(sample)].sort()).toEqual(
      ['ALPHA_ONE', 'BETA_TWO', 'DELTA_FOUR', 'EPS_FIVE', 'ETA_SEVEN', 'GAMMA_THREE', 'IOTA_NINE', 'KAPPA_TEN', 'LAMBDA_ELEVEN', 'MU_TWELVE', 'NU_THIRTEEN', 'THETA_EIGHT', 'XI_FOURTEEN', 'ZETA_SIX'],
    );
  });

  it('reads codes from the first cell of table rows only', () => {
    const md = '| code | class |\n|---|---|\n| `FOO_BAR` | `X` |\n| not `BAZ_QUX` | y |\nprose `ENOSPC`\n';
    expect([...codesInDoc(md)]).toEqual(['FOO_BAR']);
  });

  it('finds the codes of the SDK error classes', () => {
    const codes = codesInRepo();
    for (const c of ['VALIDATION_FAILED', 'TEMPLATE_UNRESOLVED', 'STEP_TIMEOUT', 'CIRCUIT_OPEN', 'DATA_DIR_LOCKED', 'TRANSIENT', 'NON_RETRYABLE']) {
      expect(codes.has(c), c).toBe(true);
    }
  });
});

describe('docs/errors.md', () => {
  const source = codesInRepo();
  const documented = codesInDoc(readFileSync(docPath, 'utf8'));

  it('lists every error code thrown in packages/*/src', () => {
    const missing = [...source.keys()]
      .filter((c) => !(c in NOT_ERROR_CODES) && !documented.has(c))
      .sort()
      .map((c) => `${c} (${source.get(c)!.join(', ')})`);
    expect(missing, 'codes thrown in source but missing from docs/errors.md').toEqual([]);
  });

  it('lists no code that the sources no longer throw', () => {
    const stale = [...documented].filter((c) => !source.has(c)).sort();
    expect(stale, 'codes in docs/errors.md that no source file sets').toEqual([]);
  });

  it('keeps its list of non-codes current', () => {
    for (const c of Object.keys(NOT_ERROR_CODES)) expect(source.has(c), `${c} no longer occurs; remove it from NOT_ERROR_CODES`).toBe(true);
  });
});

describe('VecronErrorCodes (the VecronErrorCode union)', () => {
  it('holds exactly the codes docs/errors.md lists', () => {
    const text = readFileSync(path.join(repoRoot, 'packages/sdk/src/errors/codes.ts'), 'utf8');
    const body = /interface VecronErrorCodes \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
    const inUnion = [...body.matchAll(/^\s*([A-Z][A-Z0-9_]{2,}): true;/gm)].map((m) => m[1]!).sort();
    expect(inUnion.length).toBeGreaterThan(50);
    expect(inUnion).toEqual([...codesInDoc(readFileSync(docPath, 'utf8'))].sort());
  });
});

