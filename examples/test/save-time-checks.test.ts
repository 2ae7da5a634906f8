/**
 * Issue 12, "step config checked only at run time": what the executor READMEs promise fails when
 * the job is saved, with the built-in executors — a misspelt database field (`paramters`), an SFTP
 * field (`verify_hostkey`), a filter with a syntax error — while a value that holds a template is
 * left to the check after rendering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCronSystem, ValidationError } from '@vecron/sdk';
import { dbExecutor } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { sftpExecutor } from '@vecron/executor-sftp';

const cron = createCronSystem({ executors: [httpExecutor(), dbExecutor(), fileExecutor(), sftpExecutor()] });
beforeAll(() => cron.start({ scheduler: false, worker: false }));
afterAll(() => cron.stop());

const sftp = { operation: 'download', host: '127.0.0.1', auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/out/*.csv', host_key_sha256: 'SHA256:x' };
const issuesOf = async (steps: unknown[]) => {
  const err = await cron.jobs.createFromJson({ name: `j-${Math.random()}`, steps }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).issues;
};

describe('save-time step config checks of the built-in executors', () => {
  it('database: a misspelt field fails the save', async () => {
    const issues = await issuesOf([{ id: 'q', type: 'database', config: { database_type: 'postgresql', connection_string: 'postgres://x@127.0.0.1/db', query: 'SELECT $1', paramters: [1] } }]);
    expect(issues).toEqual([expect.objectContaining({ path: '$.steps[0].config', message: expect.stringContaining('paramters') })]);
  });

  it('sftp: a misspelt field fails the save', async () => {
    const issues = await issuesOf([{ id: 's', type: 'sftp', config: { ...sftp, verify_hostkey: false } }]);
    expect(issues).toEqual([expect.objectContaining({ path: '$.steps[0].config', message: expect.stringContaining('verify_hostkey') })]);
  });

  it('file_processing: a filter syntax error fails the save, naming the position', async () => {
    const issues = await issuesOf([{ id: 'f', type: 'file_processing', config: { operation: 'transform', source_path: 'in.csv', destination_path: 'out.csv', options: { transformations: [{ type: 'filter', condition: 'amount > )' }] } } }]);
    expect(issues).toEqual([expect.objectContaining({ path: '$.steps[0].config.options.transformations[0].condition', message: expect.stringContaining('position') })]);
  });

  it('a templated value is accepted at save time (checked once rendered)', async () => {
    const job = await cron.jobs.createFromJson({ name: 'templated-db', steps: [{ id: 'q', type: 'database', config: { database_type: '{{ payload.kind }}', connection_string: '${CORE_DB}', query: 'SELECT 1' } }] });
    expect(job.definition.steps[0]!.config).toMatchObject({ database_type: '{{ payload.kind }}' });
  });
});
