import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';
import { createDbExecutor } from './db-executor.js';
import { loadOptionalModule, missingDrivers } from './load-driver.js';

describe('optional drivers', () => {
  it('a package that is not installed is a non-retryable error naming what to install', async () => {
    const err = await loadOptionalModule('vecron-no-such-driver-pkg', 'database_type "x"').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err).toMatchObject({ code: 'DB_DRIVER_MISSING', details: { package: 'vecron-no-such-driver-pkg' } });
    expect((err as Error).message).toContain('npm install vecron-no-such-driver-pkg');
  });

  it('the executor imports a driver only when a step of that type runs, and reports a missing one', async () => {
    const imported: string[] = [];
    const ex = createDbExecutor(undefined, {
      importer: async (spec) => {
        imported.push(spec);
        throw Object.assign(new Error(`Cannot find package '${spec}'`), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    expect(imported).toEqual([]);
    const config = ex.config.parse({ database_type: 'mysql', connection_string: 'mysql://root@127.0.0.1/test', query: 'SELECT 1' });
    await expect(ex.execute(config, await createTestStepContext())).rejects.toMatchObject({ code: 'DB_DRIVER_MISSING', retryable: false });
    expect(imported).toEqual(['mysql2']);
    await ex.close();
  });
});

describe('missingDrivers', () => {
  it('names each database type whose driver package cannot be imported, once', async () => {
    const importer = async (s: string): Promise<unknown> => {
      if (s === 'pg') return {};
      throw Object.assign(new Error(`Cannot find package '${s}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const missing = await missingDrivers(['postgresql', 'mysql', 'oracle', 'mysql'], importer);
    expect(missing.map((m) => [m.databaseType, m.package])).toEqual([['mysql', 'mysql2'], ['oracle', 'oracledb']]);
    expect(missing[0]!.message).toContain('npm install mysql2');
  });

  it('finds the real drivers of this workspace', async () => {
    expect(await missingDrivers(['postgresql', 'mysql'])).toEqual([]);
  });
});
