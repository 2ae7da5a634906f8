import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failure, run, tempArea } from './helpers.js';

describe('path confinement', () => {
  it.each([
    ['../outside.csv'],
    ['sub/../../outside.csv'],
    ['%2e%2e/outside.csv'],
    ['%252e%252e/outside.csv'],
    ['..%2foutside.csv'],
    ['..\\outside.csv'],
    ['/etc/passwd'],
    ['ok.csv\u0000.xlsx'],
  ])('rejects %j for read and write', async (p) => {
    const dir = await tempArea();
    await mkdir(path.join(dir, 'area'));
    const area = path.join(dir, 'area');
    await writeFile(path.join(dir, 'outside.csv'), 'a\n1\n');
    const read = await failure(run(area, { operation: 'read', format: 'csv', source_path: p }));
    expect(read.code).toBe('PATH_ESCAPE');
    const write = await failure(run(area, { operation: 'write', format: 'csv', destination_path: p, data_source: [{ a: 1 }] }));
    expect(write.code).toBe('PATH_ESCAPE');
    expect(await readFile(path.join(dir, 'outside.csv'), 'utf8')).toBe('a\n1\n');
  });

  it('rejects an absolute path outside the area and a symlink that leads out, for read, write and transform', async () => {
    const dir = await tempArea();
    const area = path.join(dir, 'area');
    await mkdir(area);
    await mkdir(path.join(dir, 'secret'));
    await writeFile(path.join(dir, 'secret', 's.csv'), 'a\n1\n');
    await symlink(path.join(dir, 'secret'), path.join(area, 'link'));
    expect((await failure(run(area, { operation: 'read', source_path: path.join(dir, 'secret', 's.csv') }))).code).toBe('PATH_ESCAPE');
    expect((await failure(run(area, { operation: 'read', source_path: 'link/s.csv' }))).code).toBe('PATH_ESCAPE');
    expect((await failure(run(area, { operation: 'write', destination_path: 'link/new.csv', data_source: [{ a: 1 }] }))).code).toBe('PATH_ESCAPE');
    await writeFile(path.join(area, 'in.csv'), 'a\n1\n');
    expect((await failure(run(area, { operation: 'transform', source_path: 'in.csv', destination_path: 'link/out.csv' }))).code).toBe('PATH_ESCAPE');
    expect(await readdir(path.join(dir, 'secret'))).toEqual(['s.csv']);
  });

  it('accepts an absolute path inside the area and inside an allowed root, confined to that root', async () => {
    const dir = await tempArea();
    const area = path.join(dir, 'area');
    const shared = path.join(dir, 'exchange');
    await mkdir(area);
    await mkdir(shared);
    const w = await run(area, { operation: 'write', destination_path: path.join(area, 'a', 'b', 'c.csv'), data_source: [{ a: 1 }] });
    expect(w.files[0]!.path).toBe(path.join(area, 'a', 'b', 'c.csv'));
    const s = await run(area, { operation: 'write', destination_path: path.join(shared, 'out', 'x.csv'), data_source: [{ a: 1 }] }, { allowedRoots: [shared] });
    expect(s.files[0]!.path).toBe(path.join(shared, 'out', 'x.csv'));
    expect((await run(area, { operation: 'read', source_path: path.join(shared, 'out', 'x.csv') }, { allowedRoots: [shared] })).data).toEqual([{ a: '1' }]);
    // Without the option the same path is refused, and `..` inside an allowed root still is.
    expect((await failure(run(area, { operation: 'read', source_path: path.join(shared, 'out', 'x.csv') }))).code).toBe('PATH_ESCAPE');
    expect((await failure(run(area, { operation: 'read', source_path: `${shared}/out/../../area/a/b/c.csv` }, { allowedRoots: [shared] }))).code).toBe('PATH_ESCAPE');
  });

  it('refuses relative allowed roots when the executor is created', async () => {
    const dir = await tempArea();
    await expect(run(dir, { operation: 'read', source_path: 'x.csv' }, { allowedRoots: ['relative/dir'] })).rejects.toThrow(/absolute/);
  });
});
