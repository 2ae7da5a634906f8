/**
 * The API report of every published package: each entry point of its `exports` and every symbol
 * it exports, with its kind and signature, as read by the TypeScript compiler. Committed as
 * `packages/<pkg>/api-report.md`; `test/api-report.test.ts` fails when the surface changes
 * without the report, so a change of the public API is always a visible change of the diff.
 *
 * `pnpm api-report` rewrites the reports.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Longest signature printed in full; longer ones (inferred zod schema types) end in a hash of the rest. */
const MAX_TEXT = 240;

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, { 'vecron-source'?: string }>;
}

/** The published packages and their entry points (`vecron-source` files), by package folder. */
export function publishedEntryPoints(): Array<{ dir: string; name: string; entries: Array<{ specifier: string; file: string }> }> {
  const out = [];
  for (const dir of readdirSync(path.join(root, 'packages')).sort()) {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
    } catch {
      continue;
    }
    if (manifest.private || !manifest.exports) continue;
    const entries = Object.entries(manifest.exports)
      .filter(([, e]) => e['vecron-source'])
      .map(([sub, e]) => ({ specifier: sub === '.' ? manifest.name : `${manifest.name}/${sub.replace(/^\.\//, '')}`, file: path.join(root, 'packages', dir, e['vecron-source']!) }));
    out.push({ dir, name: manifest.name, entries });
  }
  return out;
}

const FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType | ts.TypeFormatFlags.WriteArrayAsGenericType;

function short(text: string): string {
  // Types the checker can only name by their file print an absolute path: keep it relative to the repository.
  const t = text.replace(/\s+/g, ' ').replaceAll(`${root}/`, '');
  if (t.length <= MAX_TEXT) return t;
  return `${t.slice(0, MAX_TEXT)}… (${t.length} chars, sha256 ${createHash('sha256').update(t).digest('hex').slice(0, 12)})`;
}

function describe(checker: ts.TypeChecker, exported: ts.Symbol): string[] {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const decl = symbol.declarations?.[0];
  const name = exported.name;
  const lines: string[] = [];
  const sigs = (sigList: readonly ts.Signature[], prefix: string): void => {
    for (const s of sigList) lines.push(`  ${prefix}${short(checker.signatureToString(s, undefined, FLAGS))}`);
  };
  const members = (type: ts.Type, at: ts.Node): void => {
    for (const p of checker.getPropertiesOfType(type)) {
      const pd = p.valueDeclaration ?? p.declarations?.[0];
      if (pd && ts.getCombinedModifierFlags(pd as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (p.name.startsWith('#')) continue;
      const optional = p.flags & ts.SymbolFlags.Optional ? '?' : '';
      lines.push(`  ${p.name}${optional}: ${short(checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FLAGS))}`);
    }
  };
  if (!decl) return [name];
  if (symbol.flags & ts.SymbolFlags.Class) {
    lines.unshift(`class ${name}`);
    const ctorType = checker.getTypeOfSymbolAtLocation(symbol, decl);
    sigs(ctorType.getConstructSignatures(), 'new ');
    members(checker.getDeclaredTypeOfSymbol(symbol), decl);
  } else if (symbol.flags & ts.SymbolFlags.Function) {
    lines.unshift(`function ${name}`);
    sigs(checker.getTypeOfSymbolAtLocation(symbol, decl).getCallSignatures(), '');
  } else if (symbol.flags & ts.SymbolFlags.Interface) {
    lines.unshift(`interface ${name}`);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    sigs(type.getCallSignatures(), '');
    members(type, decl);
  } else if (symbol.flags & ts.SymbolFlags.TypeAlias) {
    const d = decl as ts.TypeAliasDeclaration;
    lines.unshift(`type ${name} = ${short(d.type.getText())}`);
  } else if (symbol.flags & ts.SymbolFlags.Variable) {
    lines.unshift(`const ${name}: ${short(checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl), decl, FLAGS))}`);
  } else if (symbol.flags & ts.SymbolFlags.Enum) {
    lines.unshift(`enum ${name}`);
  } else if (symbol.flags & ts.SymbolFlags.Module) {
    lines.unshift(`namespace ${name}`);
  } else {
    lines.unshift(name);
  }
  return lines;
}

/** The report text of every published package, by package folder. */
export function apiReports(): Map<string, string> {
  const packages = publishedEntryPoints();
  const configFile = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.base.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(packages.flatMap((p) => p.entries.map((e) => e.file)), { ...configFile.options, noEmit: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const reports = new Map<string, string>();
  for (const p of packages) {
    const out = [
      `# API report: ${p.name}`,
      '',
      '<!-- Generated by `pnpm api-report` (scripts/api-report.ts); test/api-report.test.ts fails when it is stale. -->',
      '',
      'Every symbol each entry point exports, with its signature. Long inferred types end in a hash.',
    ];
    for (const e of p.entries) {
      const source = program.getSourceFile(e.file);
      if (!source) throw new Error(`${e.file} is not in the program`);
      const moduleSymbol = checker.getSymbolAtLocation(source);
      const exported = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
      const values = exported.filter((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value);
      out.push('', `## \`${e.specifier}\``, '', `${exported.length} exports, ${values.length} of them runtime values.`, '', '```text');
      for (const s of [...exported].sort((a, b) => a.name.localeCompare(b.name, 'en'))) out.push(...describe(checker, s));
      out.push('```');
    }
    reports.set(p.dir, `${out.join('\n')}\n`);
  }
  return reports;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [dir, text] of apiReports()) {
    const file = path.join(root, 'packages', dir, 'api-report.md');
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(root, file)}`);
  }
}
