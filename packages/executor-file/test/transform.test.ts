import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failure, run, tempArea } from './helpers.js';

const CSV = [
  'Mã KH,Họ và tên,Thành phố,Số tiền,Ngày mở,Hoạt động',
  'KH001,Nguyễn Thị Minh Khai,Hà Nội,"1.500.000,50",15/01/2026,có',
  'KH002,Trần Văn Đức,Đà Nẵng,"250.000,00",30/11/2026,không',
  'KH003,Lê Hoàng Yến,Hồ Chí Minh,"99.000.000,00",01/03/2026,có',
  'KH004,Phạm Quốc Bảo,Hà Nội,,02/03/2026,có',
].join('\n');

const CONVERSIONS = [
  { type: 'column_mapping', mapping: { 'Mã KH': 'id', 'Họ và tên': 'name', 'Thành phố': 'city' } },
  { type: 'column_mapping', from: 'Số tiền', to: 'amount' },
  { type: 'type_conversion', column: 'amount', target_type: 'decimal', decimal_separator: ',', thousands_separator: '.' },
  { type: 'type_conversion', column: 'Ngày mở', target_type: 'date', format: 'dd/MM/yyyy' },
  { type: 'type_conversion', column: 'Hoạt động', target_type: 'boolean' },
];

describe('transformations', () => {
  it('applies column_mapping (both forms), type_conversion and filter in order', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'kh.csv'), CSV);
    const r = await run(dir, {
      operation: 'read',
      source_path: 'kh.csv',
      options: { transformations: [...CONVERSIONS, { type: 'filter', condition: "`Hoạt động` AND (amount >= 1000000 OR amount IS NULL) AND city IN ('Hà Nội', 'Hồ Chí Minh') AND `Ngày mở` >= '2026-01-01'" }] },
    });
    expect(r.data).toEqual([
      { id: 'KH001', name: 'Nguyễn Thị Minh Khai', city: 'Hà Nội', amount: '1500000.50', 'Ngày mở': '2026-01-15', 'Hoạt động': true },
      { id: 'KH003', name: 'Lê Hoàng Yến', city: 'Hồ Chí Minh', amount: '99000000.00', 'Ngày mở': '2026-03-01', 'Hoạt động': true },
      { id: 'KH004', name: 'Phạm Quốc Bảo', city: 'Hà Nội', amount: null, 'Ngày mở': '2026-03-02', 'Hoạt động': true },
    ]);
    expect(r.row_count).toBe(3);
  });

  it('names data row, file line and column of a value that does not convert', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'kh.csv'), `${CSV}\nKH005,X,Huế,12a,01/01/2026,có\n`);
    const err = await failure(run(dir, { operation: 'read', source_path: 'kh.csv', options: { transformations: CONVERSIONS } }));
    expect(err.code).toBe('FILE_DATA_INVALID');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('row 5 (line 6 of kh.csv), column "amount": cannot convert "12a" to decimal: is not a decimal number');
    expect(err.details).toMatchObject({ row: 5, column: 'amount', value: '12a' });
    await writeFile(path.join(dir, 'd.csv'), 'd\n2026-02-30\n');
    expect((await failure(run(dir, { operation: 'read', source_path: 'd.csv', options: { transformations: [{ type: 'type_conversion', column: 'd', target_type: 'date' }] } }))).message).toContain('row 1 (line 2 of d.csv), column "d"');
    await writeFile(path.join(dir, 'b.csv'), 'b\nyes\nmaybe\n');
    expect((await failure(run(dir, { operation: 'read', source_path: 'b.csv', options: { transformations: [{ type: 'type_conversion', column: 'b', target_type: 'boolean' }] } }))).message).toContain('row 2 (line 3 of b.csv), column "b"');
    const i = await failure(run(dir, { operation: 'write', destination_path: 'x.csv', data_source: [{ n: '1' }, { n: '2.5' }], options: { transformations: [{ type: 'type_conversion', column: 'n', target_type: 'integer' }] } }));
    expect(i.message).toContain('row 2 (data_source[1]), column "n"');
  });

  it('counts lines correctly across quoted line breaks and skipped blank lines', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'm.csv'), 'a,b\n"x\ny",1\n\nz,oops\n');
    const err = await failure(run(dir, { operation: 'read', source_path: 'm.csv', options: { transformations: [{ type: 'type_conversion', column: 'b', target_type: 'integer' }] } }));
    expect(err.message).toContain('row 2 (line 5 of m.csv)');
  });

  it('rejects unknown and duplicate columns before reading rows', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'kh.csv'), CSV);
    const unknown = await failure(run(dir, { operation: 'read', source_path: 'kh.csv', options: { transformations: [{ type: 'filter', condition: 'amount > 5' }] } }));
    expect(unknown.code).toBe('UNKNOWN_COLUMN');
    expect(unknown.message).toContain('unknown column "amount"');
    expect(unknown.message).toContain('"Số tiền"');
    const dup = await failure(run(dir, { operation: 'read', source_path: 'kh.csv', options: { transformations: [{ type: 'column_mapping', from: 'Mã KH', to: 'Thành phố' }] } }));
    expect(dup.code).toBe('DUPLICATE_COLUMN');
    expect((await failure(run(dir, { operation: 'read', source_path: 'kh.csv', options: { transformations: [{ type: 'type_conversion', column: 'nope', target_type: 'string' }] } }))).code).toBe('UNKNOWN_COLUMN');
  });

  it('transform: CSV → filter → XLSX in one streaming step, and XLSX → CSV with a date format', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'kh.csv'), CSV);
    const out = await run(dir, {
      operation: 'transform',
      source_path: 'kh.csv',
      destination_path: 'out/{{date}}/kh.xlsx',
      options: { transformations: [...CONVERSIONS, { type: 'filter', condition: "city = 'Hà Nội'" }], columns: ['id', 'name', 'amount', 'Ngày mở'] },
      destination_options: { sheet_name: 'Hà Nội' },
    });
    expect(out).toMatchObject({ row_count: 2, files: [{ filename: 'kh.xlsx', row_count: 2 }] });
    const back = await run(dir, { operation: 'transform', source_path: out.files[0]!.path, destination_path: 'kh2.csv', destination_options: { date_format: 'dd/MM/yyyy', delimiter: ';' } });
    expect(back.row_count).toBe(2);
    expect(await readFile(path.join(dir, 'kh2.csv'), 'utf8')).toBe('id;name;amount;Ngày mở\nKH001;Nguyễn Thị Minh Khai;1500000.5;15/01/2026\nKH004;Phạm Quốc Bảo;;02/03/2026\n');
    expect((await failure(run(dir, { operation: 'transform', source_path: 'kh.csv', destination_path: 'kh.csv' }))).message).toContain('must differ');
  });

  it('write accepts a whole read output as data_source', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'kh.csv'), CSV);
    const r = await run(dir, { operation: 'read', source_path: 'kh.csv', options: { transformations: CONVERSIONS } });
    const w = await run(dir, { operation: 'write', destination_path: 'again.csv', data_source: r, options: { columns: ['id', 'amount'] } });
    expect(w.row_count).toBe(4);
    expect(await readFile(path.join(dir, 'again.csv'), 'utf8')).toBe('id,amount\nKH001,1500000.50\nKH002,250000.00\nKH003,99000000.00\nKH004,\n');
  });
});
