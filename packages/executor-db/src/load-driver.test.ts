import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';
import { createDbExecutor } from './db-executor.js';
import { loadOptionalModule } from './load-driver.js';

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
