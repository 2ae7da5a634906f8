import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PathEscapeError } from '../errors/errors.js';
import { existsSync } from 'node:fs';
import { createFileArea, executionFileArea, executionFilesDir, resolveInside } from './file-area.js';

let root: string;
let outside: string;
beforeAll(async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'vecron-area-'));
  root = path.join(base, 'area');
  outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'in'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.txt'), 'x');
  await symlink(outside, path.join(root, 'escape-link'));
  await symlink(path.join(root, 'in'), path.join(root, 'inner-link'));
});

describe('resolveInside', () => {
  it('resolves relative paths and absolute paths inside the root, existing or not', async () => {
    expect(await resolveInside(root, 'in/report.xlsx')).toBe(path.join(root, 'in/report.xlsx'));
    expect(await resolveInside(root, 'new/dir/file.csv')).toBe(path.join(root, 'new/dir/file.csv'));
    expect(await resolveInside(root, path.join(root, 'in/x'))).toBe(path.join(root, 'in/x'));
    expect(await resolveInside(root, 'inner-link/a.csv')).toBe(path.join(root, 'in/a.csv'));
    expect(await resolveInside(root, 'tên tệp Việt.csv')).toBe(path.join(root, 'tên tệp Việt.csv'));
  });

  it.each([
    ['../outside/secret.txt'],
    ['in/../../outside/secret.txt'],
    ['..'],
    ['%2e%2e/outside/secret.txt'],
    ['%2E%2E%2Foutside'],
    ['%252e%252e/outside'],
    ['..\\outside\\secret.txt'],
    ['/etc/passwd'],
    ['escape-link/secret.txt'],
    ['escape-link'],
    ['in/\0/x'],
    [''],
  ])('rejects %j', async (p) => {
    await expect(resolveInside(root, p)).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('builds execution folders only from safe ids', () => {
    expect(executionFilesDir('/data/files', 'job-1', 'exec-2')).toBe('/data/files/jobs/job-1/executions/exec-2');
    expect(() => executionFilesDir('/data/files', '../x', 'e')).toThrow(PathEscapeError);
  });

  it('a file area creates its root and resolves inside it', async () => {
    const area = createFileArea(path.join(root, 'exec'));
    await area.ensure();
    await expect(area.resolve('../in')).rejects.toBeInstanceOf(PathEscapeError);
    expect(await area.resolve('out.csv')).toBe(path.join(root, 'exec/out.csv'));
  });

  it('an execution\'s file area checks its ids at once and is the same area as createFileArea of its folder, made on first use', async () => {
    expect(() => executionFileArea(root, '../x', 'e')).toThrow(PathEscapeError);
    expect(() => executionFileArea(root, 'j', '..')).toThrow(PathEscapeError);
    const area = executionFileArea(root, 'job-1', 'exec-3');
    const dir = executionFilesDir(root, 'job-1', 'exec-3');
    expect(existsSync(dir)).toBe(false);
    expect(area.root).toBe(createFileArea(dir).root);
    await expect(area.resolve('../in')).rejects.toBeInstanceOf(PathEscapeError);
    expect(await area.resolve('out.csv')).toBe(path.join(dir, 'out.csv'));
    expect(existsSync(dir)).toBe(true);
  });
});
