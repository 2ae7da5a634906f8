import { describe, expect, it } from 'vitest';
import { ConfigError } from '@vecron/sdk';
import { dbExecutor } from './db-executor.js';
import { parseOptions } from './options.js';

describe('dbExecutor options', () => {
  it('applies defaults', () => {
    const o = parseOptions(undefined);
    expect(o).toMatchObject({ connections: {}, maxRows: 10_000, pool: { max: 10, idle_timeout_ms: 30_000 }, connectTimeoutMs: 10_000 });
  });

  it('rejects bad options with a ConfigError listing every path', () => {
    let err: unknown;
    try {
      dbExecutor({ maxRows: -1, connections: { main: { database_type: 'db2' as 'mysql', connection_string: '' } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const paths = (err as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['$.maxRows', '$.connections.main.database_type', '$.connections.main.connection_string']));
  });
});
