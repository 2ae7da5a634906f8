import { describeExecutor } from '@vecron/sdk/testing';
import { dbExecutor } from '../src/index.js';
import { PG_URL } from './pg-helpers.js';

describeExecutor('database (PostgreSQL)', {
  type: 'database',
  create: () => dbExecutor(),
  validConfig: () => ({ database_type: 'postgresql', connection_string: PG_URL, query: 'SELECT $1::text AS greeting, now() AS at', parameters: ['xin chào'] }),
  invalidConfigs: [
    { config: { database_type: 'sqlserver', connection_string: PG_URL, query: 'SELECT 1' }, mentions: 'database_type' },
    { config: { database_type: 'postgresql', query: 'SELECT 1' }, mentions: 'connection_string' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, connection: 'main', query: 'SELECT 1' }, mentions: 'connection_string' },
    { config: { database_type: 'postgresql', connection_string: PG_URL }, mentions: 'query' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, query_type: 'stored_procedure' }, mentions: 'procedure_name' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, query_type: 'stored_procedure', procedure_name: 'x(); DROP TABLE t; --' }, mentions: 'procedure_name' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, query: 'SELECT $1', parameters: 'not-an-array' }, mentions: 'parameters' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, query: 'SELECT 1', max_rows: 0 }, mentions: 'max_rows' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, query: 'SELECT 1', output_to_file: { path: 'a.xlsx', format: 'excel' } }, mentions: 'output_to_file.format' },
    { config: { database_type: 'postgresql', connection_string: PG_URL, query: 'SELECT 1', paramters: [] }, mentions: 'paramters' },
  ],
  slowConfig: () => ({ database_type: 'postgresql', connection_string: PG_URL, query: 'SELECT pg_sleep(10)' }),
});
