import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInsecureError } from '../../errors/errors.js';
import { checkDataDirModes, tightenDataDirModes } from './data-dir-modes.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tree = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'vecron-modes-'));
  made.push(d);
  mkdirSync(path.join(d, 'pgdata', 'base'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(d, 'pgdata', 'base', '1'), 'x');
  chmodSync(d, 0o755);
  chmodSync(path.join(d, 'pgdata'), 0o755);
  chmodSync(path.join(d, 'pgdata', 'base'), 0o755);
  chmodSync(path.join(d, 'pgdata', 'base', '1'), 0o666);
  return d;
};
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('embedded data folder modes', () => {
  it('refuses a world-writable file that others can reach, naming its path', () => {
    const d = tree();
    expect(() => checkDataDirModes(d)).toThrow(DataDirInsecureError);
    expect(() => checkDataDirModes(d)).toThrow(path.join(d, 'pgdata', 'base', '1'));
  });

  it('refuses a group-writable data folder', () => {
    const d = tree();
    tightenDataDirModes(d);
    chmodSync(d, 0o770);
    try {
      checkDataDirModes(d);
      expect.unreachable();
    } catch (err) {
      expect((err as DataDirInsecureError).code).toBe('DATA_DIR_INSECURE');
      expect((err as DataDirInsecureError).details).toMatchObject({ path: d, mode: '0770' });
    }
  });

  it('tightens folders to 0700 and files to 0600; a 0666 file inside a 0700 folder is then not refused', () => {
    const d = tree();
    tightenDataDirModes(d);
    expect(mode(d)).toBe(0o700);
    expect(mode(path.join(d, 'pgdata', 'base'))).toBe(0o700);
    expect(mode(path.join(d, 'pgdata', 'base', '1'))).toBe(0o600);
    chmodSync(path.join(d, 'pgdata', 'base', '1'), 0o666);
    expect(() => checkDataDirModes(d)).not.toThrow();
    expect(() => checkDataDirModes(path.join(d, 'missing'))).not.toThrow();
  });
});
