import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { failure, run, tempArea, VN_ROWS } from './helpers.js';

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
    expect(['FILE_PARSE_ERROR', 'SHEET_NOT_FOUND']).toContain(err.code);
    expect(err.retryable).toBe(false);
    await writeFile(path.join(dir, 'old.xls'), 'x');
    expect((await failure(run(dir, { operation: 'read', source_path: 'old.xls' }))).message).toContain('.xls');
  });
});
