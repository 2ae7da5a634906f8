/**
 * Memory / time benchmark of the file executor on large files (not a test; it reports, it does not gate).
 *
 *   npx tsx packages/executor-file/bench/large-files.ts [--csv-rows 1000000] [--xlsx-rows 200000]
 *
 * Generates a 1,000,000-row CSV and a 200,000-row XLSX with Vietnamese text, then runs
 * `operation: transform` steps (type_conversion + filter, streaming end to end) and count-only
 * reads, each in a fresh child process, and prints wall time, RSS before the step and peak RSS
 * (process.memoryUsage().rss sampled every 50 ms). Target: peak RSS < 300 MB. Files go to a
 * temp folder that is removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Workspace packages resolve to their TypeScript sources only under the `vecron-source`
// condition; re-run this script with it when it was started without.
if (!process.execArgv.some((a) => a.includes('vecron-source')) && !process.env.VECRON_BENCH_CHILD) {
  const r = spawnSync(process.execPath, [...process.execArgv, '--conditions=vecron-source', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, VECRON_BENCH_CHILD: '1' },
  });
  process.exit(r.status ?? 1);
}

const { createFileArea } = await import('@vecron/sdk');
const { createTestStepContext } = await import('@vecron/sdk/testing');
const ExcelJS = (await import('exceljs')).default;
const { fileExecutor } = await import('../src/index.js');

const arg = (name: string, dflt: number): number => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? Number(process.argv[k + 1]) : dflt;
};
const CSV_ROWS = arg('--csv-rows', 1_000_000);
const XLSX_ROWS = arg('--xlsx-rows', 200_000);

const NAMES = ['Nguyễn Thị Minh Khai', 'Trần Văn Đức', 'Lê Hoàng Yến', 'Phạm Quốc Bảo', 'Võ Thị Ánh Tuyết'];
const CITIES = ['Hà Nội', 'Đà Nẵng', 'Hồ Chí Minh', 'Cần Thơ', 'Huế'];
const PRODUCTS = ['Tiền gửi tiết kiệm', 'Vay tiêu dùng', 'Thẻ tín dụng'];
const HEADER = ['id', 'customer', 'city', 'product', 'amount', 'opened_on'];
const row = (i: number): string[] => [
  String(i + 1),
  NAMES[i % NAMES.length]!,
  CITIES[i % CITIES.length]!,
  PRODUCTS[i % PRODUCTS.length]!,
  `${(i * 7919) % 50_000_000}.${String(i % 100).padStart(2, '0')}`,
  `${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/2026`,
];

class Sampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.peak = process.memoryUsage().rss;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage().rss);
    }, 50);
    this.timer.unref();
  }
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
    return this.peak;
  }
}

async function generateCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${HEADER.join(',')}\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${row(i).map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

async function generateXlsx(file: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('Khách hàng');
  ws.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) {
    const r = row(i);
    ws.addRow([i + 1, r[1], r[2], r[3], r[4], r[5]]).commit();
    if (i % 5000 === 0) await new Promise((res) => setImmediate(res));
  }
  ws.commit();
  await wb.commit();
}

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const TRANSFORMATIONS = [
  { type: 'type_conversion', column: 'amount', target_type: 'decimal' },
  { type: 'type_conversion', column: 'opened_on', target_type: 'date', format: 'dd/MM/yyyy' },
  { type: 'filter', condition: "amount >= 1000000 AND city IN ('Hà Nội', 'Đà Nẵng') AND opened_on >= '2026-03-01'" },
];

interface Measured {
  ms: number;
  peak: number;
  baseline: number;
  rows: number;
  outSize: number | undefined;
}

/** Child mode: run one step in this (fresh) process and print what it measured. */
async function runOne(dir: string, config: Record<string, unknown>): Promise<void> {
  const ctx = await createTestStepContext({ files: createFileArea(dir) });
  const ex = fileExecutor();
  const parsed = ex.config.parse(config);
  const baseline = process.memoryUsage().rss;
  const sampler = new Sampler();
  sampler.start();
  const t = Date.now();
  const out = await ex.execute(parsed, ctx);
  const ms = Date.now() - t;
  const peak = sampler.stop();
  const m: Measured = { ms, peak, baseline, rows: out.row_count, outSize: config.operation === 'read' ? undefined : out.files[0]?.size };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function child(dir: string, config: Record<string, unknown>): Measured {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', dir, JSON.stringify(config)], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`scenario failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measured;
}

if (process.argv[2] === '--child') {
  await runOne(process.argv[3]!, JSON.parse(process.argv[4]!) as Record<string, unknown>);
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-file-bench-'));
  try {
    let t = Date.now();
    await generateCsv(path.join(dir, 'big.csv'), CSV_ROWS);
    const genCsv = Date.now() - t;
    t = Date.now();
    await generateXlsx(path.join(dir, 'big.xlsx'), XLSX_ROWS);
    const genXlsx = Date.now() - t;
    const csvN = CSV_ROWS.toLocaleString('en-US');
    const xlsxN = XLSX_ROWS.toLocaleString('en-US');
    const scenarios = [
      { name: `CSV ${csvN} rows → CSV (transform)`, gen: genCsv, src: 'big.csv', config: { operation: 'transform', source_path: 'big.csv', destination_path: 'out/f.csv', options: { transformations: TRANSFORMATIONS } } },
      { name: `CSV ${csvN} rows → XLSX (transform)`, gen: genCsv, src: 'big.csv', config: { operation: 'transform', source_path: 'big.csv', destination_path: 'out/f.xlsx', options: { transformations: TRANSFORMATIONS } } },
      { name: `XLSX ${xlsxN} rows → XLSX (transform)`, gen: genXlsx, src: 'big.xlsx', config: { operation: 'transform', source_path: 'big.xlsx', destination_path: 'out/g.xlsx', options: { transformations: TRANSFORMATIONS } } },
      { name: `XLSX ${xlsxN} rows → CSV (transform)`, gen: genXlsx, src: 'big.xlsx', config: { operation: 'transform', source_path: 'big.xlsx', destination_path: 'out/g.csv', options: { transformations: TRANSFORMATIONS } } },
      { name: `CSV ${csvN} rows read, count only (streaming: true)`, gen: genCsv, src: 'big.csv', config: { operation: 'read', source_path: 'big.csv', options: { streaming: true } } },
      { name: `XLSX ${xlsxN} rows read, count only (streaming: true)`, gen: genXlsx, src: 'big.xlsx', config: { operation: 'read', source_path: 'big.xlsx', options: { streaming: true } } },
    ];
    const results = scenarios.map((s) => {
      const m = child(dir, s.config);
      return {
        scenario: s.name,
        'input': mb(statSync(path.join(dir, s.src)).size),
        'generate s': (s.gen / 1000).toFixed(1),
        'run s': (m.ms / 1000).toFixed(1),
        'rows out': m.rows,
        'output': m.outSize === undefined ? '' : mb(m.outSize),
        'RSS before': mb(m.baseline),
        'peak RSS': mb(m.peak),
        '< 300 MB': m.peak < 300 * 1024 * 1024 ? 'yes' : 'NO',
      };
    });
    console.table(results);
    console.log(JSON.stringify({ node: process.version, cpus: os.cpus().length, results }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
