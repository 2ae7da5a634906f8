import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { failure, run, tempArea, VN_ROWS } from './helpers.js';

describe('CSV', () => {
  it('round-trips Vietnamese text through write and read (utf8, quotes and commas inside fields)', async () => {
    const dir = await tempArea();
    const w = await run(dir, { operation: 'write', format: 'csv', destination_path: 'out/kh.csv', data_source: VN_ROWS });
    expect(w.row_count).toBe(3);
    expect(w.files[0]).toMatchObject({ path: path.join(dir, 'out/kh.csv'), filename: 'kh.csv', row_count: 3 });
    expect(w.files[0]!.size).toBe((await readFile(path.join(dir, 'out/kh.csv'))).length);
    const text = await readFile(path.join(dir, 'out/kh.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('name,city,product,amount');
    expect(text).toContain('"Lê Hoàng Yến, ""Yến"""');
    const r = await run(dir, { operation: 'read', format: 'csv', source_path: 'out/kh.csv' });
    expect(r.data).toEqual(VN_ROWS);
    expect(r.row_count).toBe(3);
    expect(r.files).toEqual([w.files[0]]);
  });

  it('writes a UTF-8 BOM on request and strips it on read', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', format: 'csv', destination_path: 'bom.csv', data_source: VN_ROWS, options: { bom: true } });
    const bytes = await readFile(path.join(dir, 'bom.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const r = await run(dir, { operation: 'read', format: 'csv', source_path: 'bom.csv' });
    expect(Object.keys(r.data![0]!)).toEqual(['name', 'city', 'product', 'amount']);
    expect(r.data).toEqual(VN_ROWS);
  });

  it('reads a windows-1258 file made by another encoder and writes one back byte-identical', async () => {
    const dir = await tempArea();
    // What Windows writes: the base letters 1258 has (ê â ô ă ư đ à …) plus combining tone marks.
    const source = 'name,city\nNguyễn Thị Minh Khai,Hà Nội\nTrần Văn Đức,Đà Nẵng\n';
    const decomposed = 'name,city\nNguyê\u0303n Thi\u0323 Minh Khai,Hà Nô\u0323i\nTrâ\u0300n Văn Đư\u0301c,Đà Nă\u0303ng\n';
    const bytes = iconv.encode(decomposed, 'windows-1258');
    expect(iconv.decode(bytes, 'windows-1258').normalize('NFC')).toBe(source); // the fixture holds every letter
    expect(bytes.includes(0x3f)).toBe(false);
    await writeFile(path.join(dir, 'vn1258.csv'), bytes);
    const r = await run(dir, { operation: 'read', source_path: 'vn1258.csv', options: { encoding: 'windows-1258' } });
    expect(r.data).toEqual([
      { name: 'Nguyễn Thị Minh Khai', city: 'Hà Nội' },
      { name: 'Trần Văn Đức', city: 'Đà Nẵng' },
    ]);
    await run(dir, { operation: 'write', destination_path: 'back.csv', data_source: r.data, options: { encoding: 'windows-1258' } });
    const back = await readFile(path.join(dir, 'back.csv'));
    expect(back.equals(bytes)).toBe(true);
  });

  it('writes and reads UTF-16LE with a BOM, and latin1', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', destination_path: 'u16.csv', data_source: VN_ROWS, options: { encoding: 'utf16le', bom: true, delimiter: '\t' } });
    const bytes = await readFile(path.join(dir, 'u16.csv'));
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect((await run(dir, { operation: 'read', source_path: 'u16.csv', options: { encoding: 'utf-16le', delimiter: '\t' } })).data).toEqual(VN_ROWS);
    const latin = [{ name: 'José Müller', city: 'Zürich' }];
    await run(dir, { operation: 'write', destination_path: 'l1.csv', data_source: latin, options: { encoding: 'latin1' } });
    expect((await readFile(path.join(dir, 'l1.csv'))).includes(Buffer.from([0xfc]))).toBe(true);
    expect((await run(dir, { operation: 'read', source_path: 'l1.csv', options: { encoding: 'latin1' } })).data).toEqual(latin);
  });

  it('refuses to write a character the encoding cannot hold, naming row and column, and leaves no file', async () => {
    const dir = await tempArea();
    const err = await failure(run(dir, { operation: 'write', destination_path: 'l1.csv', data_source: VN_ROWS, options: { encoding: 'latin1' } }));
    expect(err.code).toBe('FILE_DATA_INVALID');
    expect(err.message).toMatch(/row 1 \(data_source\[0\]\), column "name": character "ễ" cannot be written in latin1/);
    await expect(readFile(path.join(dir, 'l1.csv'))).rejects.toThrow(/ENOENT/);
    const header = await failure(run(dir, { operation: 'write', destination_path: 'h.csv', data_source: [{ 'Số tiền': 1 }], options: { encoding: 'latin1' } }));
    expect(header.message).toContain('column "Số tiền"');
    expect(await readdir(dir)).toEqual([]);
  });

  it('honours delimiter, quote and has_header (read and write)', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'semi.csv'), "a;b\n'x;y';2\n");
    const r = await run(dir, { operation: 'read', format: { type: 'csv', delimiter: ';' }, source_path: 'semi.csv', options: { quote: "'" } });
    expect(r.data).toEqual([{ a: 'x;y', b: '2' }]);
    const h = await run(dir, { operation: 'read', source_path: 'semi.csv', options: { delimiter: ';', quote: "'", has_header: false } });
    expect(h.data).toEqual([
      { column_1: 'a', column_2: 'b' },
      { column_1: 'x;y', column_2: '2' },
    ]);
    expect(h.row_count).toBe(2);
    await run(dir, { operation: 'write', destination_path: 'nohdr.csv', data_source: [['id', 'name'], [1, 'Hà Nội']], options: { has_header: false, delimiter: '|' } });
    expect(await readFile(path.join(dir, 'nohdr.csv'), 'utf8')).toBe('id|name\n1|Hà Nội\n');
    await run(dir, { operation: 'write', destination_path: 'arr.csv', data_source: [['id', 'name'], [1, 'Hà Nội']] });
    expect(await readFile(path.join(dir, 'arr.csv'), 'utf8')).toBe('id,name\n1,Hà Nội\n');
    await run(dir, { operation: 'write', destination_path: 'noquote.csv', data_source: [{ a: 'x"y' }], options: { quote: null } });
    expect(await readFile(path.join(dir, 'noquote.csv'), 'utf8')).toBe('a\nx"y\n');
  });

  it('writes columns in the order of options.columns and leaves other keys out', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', destination_path: 'o.csv', data_source: VN_ROWS, options: { columns: ['amount', 'name'] } });
    expect((await readFile(path.join(dir, 'o.csv'), 'utf8')).split('\n')[1]).toBe('150000000.50,Nguyễn Thị Minh Khai');
    const err = await failure(run(dir, { operation: 'write', destination_path: 'o.csv', data_source: VN_ROWS, options: { columns: ['amount', 'nam'] } }));
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toContain('"nam"');
  });

  it('reports malformed CSV with its line', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'bad.csv'), 'a,b\n1,2\n3,4,5\n');
    const err = await failure(run(dir, { operation: 'read', source_path: 'bad.csv' }));
    expect(err.code).toBe('FILE_PARSE_ERROR');
    expect(err.message).toMatch(/line 3/);
    await writeFile(path.join(dir, 'quote.csv'), 'a,b\n"x,2\n');
    expect((await failure(run(dir, { operation: 'read', source_path: 'quote.csv' }))).code).toBe('FILE_PARSE_ERROR');
    await writeFile(path.join(dir, 'dup.csv'), 'a,a\n1,2\n');
    expect((await failure(run(dir, { operation: 'read', source_path: 'dup.csv' }))).code).toBe('DUPLICATE_COLUMN');
  });

  it('fails with FILE_NOT_FOUND (not retryable) for a missing file', async () => {
    const dir = await tempArea();
    const err = await failure(run(dir, { operation: 'read', format: 'csv', source_path: 'missing.csv' }));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.retryable).toBe(false);
  });

  it('reads an empty file and a header-only file as zero rows', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'empty.csv'), '');
    await writeFile(path.join(dir, 'hdr.csv'), 'a,b\n');
    expect(await run(dir, { operation: 'read', source_path: 'empty.csv' })).toMatchObject({ data: [], row_count: 0 });
    expect(await run(dir, { operation: 'read', source_path: 'hdr.csv' })).toMatchObject({ data: [], row_count: 0 });
    await run(dir, { operation: 'transform', source_path: 'hdr.csv', destination_path: 'hdr2.csv' });
    expect(await readFile(path.join(dir, 'hdr2.csv'), 'utf8')).toBe('a,b\n');
  });

  it('limits rows kept in memory: TOO_MANY_ROWS, or no data with streaming: true', async () => {
    const dir = await tempArea();
    await writeFile(path.join(dir, 'n.csv'), `n\n${Array.from({ length: 50 }, (_, k) => k).join('\n')}\n`);
    const err = await failure(run(dir, { operation: 'read', source_path: 'n.csv' }, { maxRowsInMemory: 10 }));
    expect(err.code).toBe('TOO_MANY_ROWS');
    expect(err.message).toContain('streaming');
    const s = await run(dir, { operation: 'read', source_path: 'n.csv', options: { streaming: true } }, { maxRowsInMemory: 10 });
    expect(s).not.toHaveProperty('data');
    expect(s.row_count).toBe(50);
    const f = await run(dir, { operation: 'read', source_path: 'n.csv', options: { transformations: [{ type: 'filter', condition: 'n < 5' }] } }, { maxRowsInMemory: 10 });
    expect(f.row_count).toBe(5);
    expect((await failure(run(dir, { operation: 'read', source_path: 'n.csv', options: { max_rows: 3 } }))).code).toBe('TOO_MANY_ROWS');
  });

  it('escapes formulas on request', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', destination_path: 'f.csv', data_source: [{ a: '=HYPERLINK("x")' }], options: { escape_formulas: true } });
    expect(await readFile(path.join(dir, 'f.csv'), 'utf8')).toContain(`'=HYPERLINK`);
  });
});
