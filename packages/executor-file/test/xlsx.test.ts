import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it, vi } from 'vitest';
import { failure, run, tempArea, VN_ROWS } from './helpers.js';
import { openDescriptors, readZip, writeZip } from './zip.js';

/** A workbook written by exceljs' regular (non-streaming) writer, with shared strings, dates, formulas and rich text. */
async function workbook(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const a = wb.addWorksheet('Tổng hợp');
  a.addRow(['Mã', 'Ghi chú']);
  a.addRow(['A1', 'trang đầu']);
  const b = wb.addWorksheet('Khách hàng');
  b.addRow(['Họ và tên', 'Thành phố', 'Ngày mở', 'Số tiền', 'Tổng', 'Ghi chú']);
  b.addRow(['Nguyễn Thị Minh Khai', 'Hà Nội', new Date(Date.UTC(2026, 0, 15)), 1500000.5, { formula: 'D2*2', result: 3000001 }, { richText: [{ text: 'Tiền gửi ' }, { text: 'tiết kiệm', font: { bold: true } }] }]);
  b.addRow([]);
  b.addRow(['Trần Văn Đức', 'Đà Nẵng', new Date(Date.UTC(2026, 10, 30, 8, 30)), 20, null, 'x', 'ignored far cell']);
  b.getColumn(3).numFmt = 'dd/mm/yyyy';
  await wb.xlsx.writeFile(file);
}

/** The sheets of `wb3.xlsx` ({@link threeSheets}) and the rows a read returns for each. */
const SHEETS = [
  { name: 'Tổng hợp', rows: [{ Mã: 'A1', 'Ghi chú': 'trang đầu' }] },
  {
    name: 'Khách hàng',
    rows: [
      { 'Họ và tên': 'Nguyễn Thị Minh Khai', 'Thành phố': 'Hà Nội', 'Ngày mở': '2026-01-15', 'Số tiền': 1500000.5, Tổng: 3000001, 'Ghi chú': 'Tiền gửi tiết kiệm' },
      { 'Họ và tên': 'Trần Văn Đức', 'Thành phố': 'Đà Nẵng', 'Ngày mở': '2026-11-30T08:30:00', 'Số tiền': 20, Tổng: null, 'Ghi chú': 'x' },
    ],
  },
  { name: 'Thêm', rows: [] },
] as const;

/** `dir/wb3.xlsx`: {@link workbook} plus a third sheet, as exceljs writes it (workbook.xml last, sheets before the shared strings). */
async function threeSheets(dir: string): Promise<void> {
  await workbook(path.join(dir, 'wb.xlsx'));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path.join(dir, 'wb.xlsx'));
  wb.addWorksheet('Thêm').addRow(['c']);
  await wb.xlsx.writeFile(path.join(dir, 'wb3.xlsx'));
}

describe('XLSX', () => {
  it('round-trips Vietnamese text through the streaming writer and reader', async () => {
    const dir = await tempArea();
    const w = await run(dir, { operation: 'write', format: 'excel', destination_path: 'out/kh.xlsx', data_source: VN_ROWS, options: { sheet_name: 'Khách hàng' } });
    expect(w).toMatchObject({ row_count: 3, files: [{ filename: 'kh.xlsx', row_count: 3 }] });
    const r = await run(dir, { operation: 'read', format: 'excel', source_path: 'out/kh.xlsx' });
    expect(r.data).toEqual(VN_ROWS);
    const byName = await run(dir, { operation: 'read', format: { type: 'excel', sheet_name: 'Khách hàng' }, source_path: 'out/kh.xlsx' });
    expect(byName.data).toEqual(VN_ROWS);
    // Another reader sees the same workbook.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'out/kh.xlsx'));
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Khách hàng']);
    expect(wb.worksheets[0]!.getCell('A2').value).toBe('Nguyễn Thị Minh Khai');
  });

  it('selects sheets by name and by 0-based index, and lists the sheets when one is missing', async () => {
    const dir = await tempArea();
    await workbook(path.join(dir, 'wb.xlsx'));
    const first = await run(dir, { operation: 'read', source_path: 'wb.xlsx' });
    expect(first.data).toEqual([{ Mã: 'A1', 'Ghi chú': 'trang đầu' }]);
    const second = await run(dir, { operation: 'read', source_path: 'wb.xlsx', options: { sheet_index: 1 } });
    const named = await run(dir, { operation: 'read', source_path: 'wb.xlsx', options: { sheet_name: 'Khách hàng' } });
    expect(second.data).toEqual(named.data);
    expect(named.data).toEqual([
      { 'Họ và tên': 'Nguyễn Thị Minh Khai', 'Thành phố': 'Hà Nội', 'Ngày mở': '2026-01-15', 'Số tiền': 1500000.5, Tổng: 3000001, 'Ghi chú': 'Tiền gửi tiết kiệm' },
      { 'Họ và tên': 'Trần Văn Đức', 'Thành phố': 'Đà Nẵng', 'Ngày mở': '2026-11-30T08:30:00', 'Số tiền': 20, Tổng: null, 'Ghi chú': 'x' },
    ]);
    const err = await failure(run(dir, { operation: 'read', source_path: 'wb.xlsx', options: { sheet_name: 'Khach hang' } }));
    expect(err.code).toBe('SHEET_NOT_FOUND');
    expect(err.message).toContain('"Tổng hợp", "Khách hàng"');
    expect((await failure(run(dir, { operation: 'read', source_path: 'wb.xlsx', options: { sheet_index: 2 } }))).message).toContain('sheet_index 2');
  });

  it('reads an exceljs-written three-sheet workbook 200 times in a row, every read with its rows', async () => {
    // exceljs' writer puts xl/workbook.xml last; exceljs' own streaming reader (unzipper's Parse)
    // intermittently missed that last entry and failed with "reading 'sheets'" (1–15 % of reads).
    const dir = await tempArea();
    await threeSheets(dir);
    const failures: string[] = [];
    for (let k = 0; k < 200; k++) {
      const sheet = k % 3;
      const options = k % 2 === 0 ? { sheet_index: sheet } : { sheet_name: SHEETS[sheet]!.name };
      try {
        const r = await run(dir, { operation: 'read', source_path: 'wb3.xlsx', options });
        if (!isDeepStrictEqual(r.data, SHEETS[sheet]!.rows)) failures.push(`read ${k} ${JSON.stringify(options)}: ${JSON.stringify(r.data)}`);
      } catch (err) {
        failures.push(`read ${k} ${JSON.stringify(options)}: ${(err as { code?: string }).code} ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('reads and skips sheets without a single temp file, and without a stray ENOENT', async () => {
    // exceljs' streaming reader buffered every sheet stored before the shared strings to a temp file
    // (named by the tmp package after os.tmpdir(), i.e. $TMPDIR at the time of the call), raced their
    // deletion when a sheet was skipped, and kept the files of later sheets until the process exited.
    const dir = await tempArea();
    await threeSheets(dir);
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'vecron-xlsx-tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      for (let round = 0; round < 15; round++) {
        const sheet = round % 3;
        const r = await run(dir, { operation: 'read', source_path: 'wb3.xlsx', options: { sheet_index: sheet } });
        expect(r.row_count).toBe(SHEETS[sheet]!.rows.length);
        expect(await readdir(tmp)).toEqual([]);
      }
      const missing = await failure(run(dir, { operation: 'read', source_path: 'wb3.xlsx', options: { sheet_name: 'none' } }));
      expect(missing.code).toBe('SHEET_NOT_FOUND');
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('finds sheets through the workbook relationships whatever the part order, names and targets', async () => {
    // Shared strings, styles and the workbook before the sheets; sheet files numbered against the
    // sheet order, one absolute target, one file not named sheetN.xml; plus a chart sheet.
    const dir = await tempArea();
    await threeSheets(dir);
    const parts = await readZip(path.join(dir, 'wb3.xlsx'));
    const text = (name: string): string => parts.get(name)!.toString('utf8');
    const rels = text('xl/_rels/workbook.xml.rels')
      .replace('Target="worksheets/sheet1.xml"', 'Target="/xl/worksheets/sheet2.xml"')
      .replace('Target="worksheets/sheet2.xml"', 'Target="worksheets/sheet1.xml"')
      .replace('Target="worksheets/sheet3.xml"', 'Target="worksheets/them.xml"')
      .replace('</Relationships>', '<Relationship Id="rIdChart" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>');
    const book = text('xl/workbook.xml').replace('</sheets>', '<sheet name="Biểu đồ" sheetId="9" r:id="rIdChart"/></sheets>');
    expect(rels).toContain('/xl/worksheets/sheet2.xml');
    expect(book).toContain('Biểu đồ');
    await writeZip(path.join(dir, 'moved.xlsx'), [
      ['[Content_Types].xml', parts.get('[Content_Types].xml')!],
      ['_rels/.rels', parts.get('_rels/.rels')!],
      ['xl/workbook.xml', book],
      ['xl/_rels/workbook.xml.rels', rels],
      ['xl/styles.xml', parts.get('xl/styles.xml')!],
      ['xl/sharedStrings.xml', parts.get('xl/sharedStrings.xml')!],
      ['xl/worksheets/sheet1.xml', parts.get('xl/worksheets/sheet2.xml')!],
      ['xl/worksheets/sheet2.xml', parts.get('xl/worksheets/sheet1.xml')!],
      ['xl/worksheets/them.xml', parts.get('xl/worksheets/sheet3.xml')!],
      ['xl/theme/theme1.xml', parts.get('xl/theme/theme1.xml')!],
    ]);
    for (const [k, sheet] of SHEETS.entries()) {
      expect((await run(dir, { operation: 'read', source_path: 'moved.xlsx', options: { sheet_index: k } })).data).toEqual(sheet.rows);
      expect((await run(dir, { operation: 'read', source_path: 'moved.xlsx', options: { sheet_name: sheet.name } })).data).toEqual(sheet.rows);
    }
    const chart = await failure(run(dir, { operation: 'read', source_path: 'moved.xlsx', options: { sheet_index: 3 } }));
    expect(chart.code).toBe('SHEET_NOT_FOUND');
    expect(chart.message).toContain('"Biểu đồ" is not a worksheet');
  });

  it("reads every sheet of a workbook from exceljs' streaming writer with shared strings", async () => {
    const dir = await tempArea();
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path.join(dir, 's.xlsx'), useStyles: true, useSharedStrings: true });
    for (const name of ['Một', 'Hai']) {
      const ws = writer.addWorksheet(name);
      ws.addRow(['sheet', 'city', 'opened']).commit();
      const row = ws.addRow([name, 'Hà Nội', new Date(Date.UTC(2026, 10, 30))]);
      row.getCell(3).numFmt = 'dd/mm/yyyy';
      row.commit();
      ws.commit();
    }
    await writer.commit();
    expect((await run(dir, { operation: 'read', source_path: 's.xlsx' })).data).toEqual([{ sheet: 'Một', city: 'Hà Nội', opened: '2026-11-30' }]);
    expect((await run(dir, { operation: 'read', source_path: 's.xlsx', options: { sheet_index: 1 } })).data).toEqual([{ sheet: 'Hai', city: 'Hà Nội', opened: '2026-11-30' }]);
  });

  it('keeps Vietnamese text intact in a sheet far larger than one zip chunk', async () => {
    // exceljs decoded each inflated chunk on its own, so a character split between two chunks
    // came out as U+FFFD.
    const dir = await tempArea();
    const rows = Array.from({ length: 20_000 }, (_, k) => ({ stt: String(k), name: VN_ROWS[k % 3]!.name, city: 'Hà Nội — Đống Đa' }));
    await run(dir, { operation: 'write', destination_path: 'big.xlsx', data_source: rows });
    const r = await run(dir, { operation: 'read', source_path: 'big.xlsx' });
    expect(r.row_count).toBe(rows.length);
    expect((r.data ?? []).filter((row, k) => !isDeepStrictEqual(row, rows[k])).slice(0, 3)).toEqual([]);
  });

  it('closes the workbook file after a read, a missing sheet, an early stop, an unknown column and a bad part', async () => {
    const dir = await tempArea();
    await threeSheets(dir);
    const file = path.join(dir, 'wb3.xlsx');
    const parts = await readZip(file);
    await writeZip(path.join(dir, 'bad.xlsx'), [...parts].map(([name, data]) => [name, name === 'xl/worksheets/sheet2.xml' ? data.toString('utf8').replace('</sheetData>', '') : data] as const));
    const cases: Array<[string, string, Record<string, unknown>, string | undefined]> = [
      ['read', 'wb3.xlsx', { sheet_index: 1 }, undefined],
      ['missing sheet', 'wb3.xlsx', { sheet_name: 'none' }, 'SHEET_NOT_FOUND'],
      ['early stop', 'wb3.xlsx', { sheet_index: 1, max_rows: 1 }, 'TOO_MANY_ROWS'],
      ['never iterated', 'wb3.xlsx', { sheet_index: 1, transformations: [{ type: 'type_conversion', column: 'nope', target_type: 'string' }] }, 'UNKNOWN_COLUMN'],
      ['malformed sheet', 'bad.xlsx', { sheet_index: 1 }, 'FILE_PARSE_ERROR'],
    ];
    for (const [what, source, options, code] of cases) {
      const step = run(dir, { operation: 'read', source_path: source, options });
      if (code === undefined) await step;
      else expect({ what, code: (await failure(step)).code }).toEqual({ what, code });
      expect({ what, open: await openDescriptors(path.join(dir, source)) }).toEqual({ what, open: 0 });
    }
  });

  it('stops an XLSX read mid-flight with the signal reason and closes the file', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', destination_path: 'big.xlsx', data_source: Array.from({ length: 60_000 }, (_, k) => ({ id: k, name: 'Nguyễn Thị Minh Khai', amount: k + 0.5 })) });
    const file = path.join(dir, 'big.xlsx');
    const ac = new AbortController();
    const reading = failure(run(dir, { operation: 'read', source_path: 'big.xlsx', options: { streaming: true } }, undefined, { signal: ac.signal }));
    await vi.waitFor(async () => expect(await openDescriptors(file)).toBe(1)); // the sheet is being read
    ac.abort(new Error('cancelled by test'));
    expect((await reading).message).toBe('cancelled by test');
    await vi.waitFor(async () => expect(await openDescriptors(file)).toBe(0));
  });

  it('reports row and sheet row of a bad cell', async () => {
    const dir = await tempArea();
    await workbook(path.join(dir, 'wb.xlsx'));
    const err = await failure(
      run(dir, { operation: 'read', source_path: 'wb.xlsx', options: { sheet_name: 'Khách hàng', transformations: [{ type: 'type_conversion', column: 'Ghi chú', target_type: 'integer' }] } }),
    );
    expect(err.code).toBe('FILE_DATA_INVALID');
    expect(err.message).toContain('row 1 (row 2 of sheet "Khách hàng" in wb.xlsx), column "Ghi chú"');
    const second = await failure(
      run(dir, { operation: 'read', source_path: 'wb.xlsx', options: { sheet_name: 'Khách hàng', transformations: [{ type: 'type_conversion', column: 'Ghi chú', target_type: 'boolean' }] } }),
    );
    expect(second.message).toContain('row 1 (row 2 of sheet'); // "Tiền gửi tiết kiệm" is not a boolean
  });

  it('writes dates as date cells and decimals as numbers, and reads them back', async () => {
    const dir = await tempArea();
    await run(dir, {
      operation: 'write',
      destination_path: 'd.xlsx',
      data_source: [{ ngay: '30/11/2026', tien: '1234567.89' }],
      options: { transformations: [{ type: 'type_conversion', column: 'ngay', target_type: 'date', format: 'dd/MM/yyyy' }, { type: 'type_conversion', column: 'tien', target_type: 'decimal' }] },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'd.xlsx'));
    const cell = wb.worksheets[0]!.getCell('A2');
    expect(cell.value).toEqual(new Date(Date.UTC(2026, 10, 30)));
    expect(cell.numFmt).toBe('yyyy-mm-dd');
    expect(wb.worksheets[0]!.getCell('B2').value).toBe(1234567.89);
    expect((await run(dir, { operation: 'read', source_path: 'd.xlsx' })).data).toEqual([{ ngay: '2026-11-30', tien: 1234567.89 }]);
  });

  it('reads has_header: false with generated column names', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', destination_path: 'n.xlsx', data_source: [['a', 1], ['b', 2]], options: { has_header: false } });
    expect((await run(dir, { operation: 'read', source_path: 'n.xlsx', options: { has_header: false } })).data).toEqual([
      { column_1: 'a', column_2: 1 },
      { column_1: 'b', column_2: 2 },
    ]);
  });

  it('fails with FILE_PARSE_ERROR for a file that is not XLSX, and refuses legacy .xls by name', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'fake.xlsx'), 'name,city\n');
    const err = await failure(run(dir, { operation: 'read', source_path: 'fake.xlsx' }));
    expect(err.code).toBe('FILE_PARSE_ERROR');
    expect(err.retryable).toBe(false);
    await writeZip(path.join(dir, 'notes.xlsx'), [['notes.txt', 'not a workbook']]);
    const zip = await failure(run(dir, { operation: 'read', source_path: 'notes.xlsx' }));
    expect(zip.code).toBe('FILE_PARSE_ERROR');
    expect(zip.message).toContain('xl/workbook.xml');
    expect(await openDescriptors(path.join(dir, 'notes.xlsx'))).toBe(0);
    await writeFile(path.join(dir, 'old.xls'), 'x');
    expect((await failure(run(dir, { operation: 'read', source_path: 'old.xls' }))).message).toContain('.xls');
  });
});
