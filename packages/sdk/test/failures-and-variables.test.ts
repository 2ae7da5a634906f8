import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem, ValidationError } from '@vecron/sdk';
import type { CronSystem } from '@vecron/sdk';
import { until } from '@vecron/sdk/testing';
import { createCallLog, echoExecutor, flakyExecutor, sleepExecutor } from './helpers/test-executors.js';
import { internalsOf } from '../src/internal/cron-internals.js';

let cron: CronSystem;
const log = createCallLog();
const key = randomBytes(32).toString('hex');
afterEach(async () => {
  await cron?.stop({ graceMs: 0 });
});

async function system(): Promise<CronSystem> {
  cron = createCronSystem({ executors: [echoExecutor(log), sleepExecutor(log), flakyExecutor({ failing: true, permanent: true })], encryptionKey: key, dispatchIntervalMs: 50 });
  await cron.start();
  return cron;
}

describe('bad input and failures name exactly what is wrong', () => {
  it('rejects an unknown step type at save time, naming the registered types', async () => {
    const c = await system();
    const err = await c.jobs.create({ name: 'x', steps: [{ id: 'a', type: 'echo' }, { id: 'b', type: 'ftp', config: {} }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([{ path: '$.steps[1].type', message: 'unknown step type "ftp"; registered types: echo, flaky, sleep' }]);
    expect(await c.jobs.list()).toEqual([]);
  });

  it('rejects a reference to a later or unknown step at save time', async () => {
    const c = await system();
    const err = await c.jobs.create({
      name: 'refs',
      steps: [{ id: 'a', type: 'echo', config: { value: '{{steps.b.output.value}}' } }, { id: 'b', type: 'echo', config: {} }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.path).toBe('$.steps[0].config.value');
  });

  it('a missing ${VAR} fails the step with that exact name, without retries', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'needs-var', steps: [{ id: 'call', type: 'echo', config: { value: 'Bearer ${API_TOKEN}' } }] });
    const { executionId } = await c.trigger(job.id);
    const e = await c.executions.wait(executionId, { timeoutMs: 10_000 });
    expect(e.status).toBe('failed');
    expect(e.error?.code).toBe('TEMPLATE_UNRESOLVED');
    expect(e.error?.message).toContain('API_TOKEN');
    expect(e.error?.details?.path).toBe('${API_TOKEN}');
    expect(e.attempt).toBe(1);
  });

  it('a missing step output path fails the step with that exact path', async () => {
    const c = await system();
    const job = await c.jobs.create({
      name: 'needs-path',
      steps: [
        { id: 'rows', type: 'echo', config: { value: [{ id: 1 }] } },
        { id: 'use', type: 'echo', config: { value: '{{steps.rows.output.value[3].id}}' } },
      ],
    });
    const e = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(e.status).toBe('failed');
    expect(e.error?.details?.path).toBe('steps.rows.output.value[3].id');
    expect(e.context.steps.rows?.status).toBe('succeeded');
  });

  it('a permanent executor error fails at once (no retry, not dead-letter)', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'permanent', max_retries: 5, steps: [{ id: 'f', type: 'flaky', config: {} }] });
    const e = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(e).toMatchObject({ status: 'failed', attempt: 1 });
    expect(e.error?.code).toBe('NON_RETRYABLE');
  });

  it('on_failure: continue records the failure and runs the next step', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'continue', steps: [{ id: 'f', type: 'flaky', config: {}, on_failure: 'continue' }, { id: 'next', type: 'echo', config: { value: 2 } }] });
    const e = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(e.status).toBe('success');
    expect(e.context.steps.f?.status).toBe('failed');
    expect(e.context.steps.next?.output).toEqual({ value: 2 });
  });

  it('skips a step whose condition renders falsy', async () => {
    const c = await system();
    const job = await c.jobs.create({
      name: 'conditional',
      steps: [
        { id: 'count', type: 'echo', config: { value: 0 } },
        { id: 'only-if-rows', type: 'echo', config: { value: 'x' }, condition: '{{steps.count.output.value}}' },
      ],
    });
    const e = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(e.status).toBe('success');
    expect(e.context.steps['only-if-rows']?.status).toBe('skipped');
  });

  it('cancels a running execution through its signal', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'cancel-me', steps: [{ id: 's', type: 'sleep', config: { ms: 20_000 } }] });
    const { executionId } = await c.trigger(job.id);
    await until(async () => (await c.executions.get(executionId))?.status === 'running', { timeoutMs: 10_000, what: 'running' });
    expect(await c.executions.cancel(executionId)).toBe('cancelling');
    const e = await c.executions.wait(executionId, { timeoutMs: 15_000 });
    expect(e.status).toBe('cancelled');
    expect(e.error?.code).toBe('CANCELLED');
  });

  it('a manual trigger payload is readable as {{payload.<path>}}', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'with-payload', steps: [{ id: 'e', type: 'echo', config: { value: 'order {{payload.order.id}} for {{payload.customer}}' } }] });
    const { executionId } = await c.trigger(job.id, { payload: { order: { id: 42 }, customer: 'Trần Thị B' } });
    expect((await c.executions.wait(executionId, { timeoutMs: 10_000 })).context.steps.e?.output).toEqual({ value: 'order 42 for Trần Thị B' });
    const without = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(without.error).toMatchObject({ code: 'TEMPLATE_UNRESOLVED', details: { path: 'payload.order.id' } });
  });

  it('a fixed_delay schedule whose start_at has passed starts at once', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'late-delay', schedule: { type: 'fixed_delay', delay_seconds: 3600, start_at: '2020-01-01T00:00:00Z' }, steps: [{ id: 'e', type: 'echo', config: { value: 1 } }] });
    await until(async () => (await c.executions.list({ jobId: job.id, status: 'success' })).length === 1, { timeoutMs: 10_000, what: 'first fixed_delay run' });
  });

  it('an idempotency key returns the first execution', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'idem', steps: [{ id: 'e', type: 'echo', config: { value: 1 } }] });
    const one = await c.trigger(job.id, { idempotencyKey: 'order-42' });
    const two = await c.trigger(job.id, { idempotencyKey: 'order-42' });
    expect(one.created).toBe(true);
    expect(two).toEqual({ executionId: one.executionId, created: false });
  });

  it('a trigger sees a change of the job at once, though it reads the job through the cache', async () => {
    const c = await system();
    const job = await c.jobs.create({ name: 'cached', steps: [{ id: 'e', type: 'echo', config: { value: 1 } }] });
    expect((await c.trigger(job.id)).created).toBe(true); // now cached
    await c.jobs.update(job.id, { name: 'cached', triggers: { manual: false }, steps: [{ id: 'e', type: 'echo', config: { value: 1 } }] });
    await expect(c.trigger(job.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await c.jobs.delete(job.id);
    await expect(c.trigger(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('variables', () => {
  it('job-scoped wins over global; sensitive values are ciphertext in storage and masked in listings, clear only inside the step', async () => {
    const c = await system();
    await c.variables.set({ name: 'REGION', value: 'HN' });
    await c.variables.set({ name: 'API_TOKEN', value: 'super-secret-token-123', sensitive: true });
    const job = await c.jobs.create({ name: 'vars', variables: { REGION: 'HCM-from-definition' }, steps: [{ id: 'e', type: 'echo', config: { value: '${REGION}|${API_TOKEN}' } }] });
    await c.variables.set({ name: 'REGION', value: 'DN', jobId: job.id });
    const e = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(e.context.steps.e?.output).toEqual({ value: 'DN|super-secret-token-123' });

    const stored = await (await internalsOf(c).storage()).listVariables();
    const secret = stored.find((v) => v.name === 'API_TOKEN')!;
    expect(secret.sensitive).toBe(true);
    expect(secret.value).not.toContain('super-secret');
    expect(secret.value.startsWith('v1:')).toBe(true);
    const listed = await c.variables.list();
    expect(listed.find((v) => v.name === 'API_TOKEN')?.value).toBe('••••••');
    expect(JSON.stringify(listed)).not.toContain('super-secret');
  });

  it('a sensitive value that no longer decrypts fails only the jobs that use it, naming the variable', async () => {
    const c = await system();
    await c.variables.set({ name: 'OLD_TOKEN', value: 'secret', sensitive: true });
    const s = await internalsOf(c).storage();
    const [stored] = (await s.listVariables('')).filter((v) => v.name === 'OLD_TOKEN');
    const flipped = stored!.value.slice(0, -2) + (stored!.value.endsWith('A') ? 'BB' : 'AA');
    await s.setVariable({ ...stored!, value: flipped });
    const unaffected = await c.jobs.create({ name: 'no-secret', steps: [{ id: 'e', type: 'echo', config: { value: 'ok' } }] });
    expect((await c.executions.wait((await c.trigger(unaffected.id)).executionId, { timeoutMs: 10_000 })).status).toBe('success');
    const user = await c.jobs.create({ name: 'uses-secret', steps: [{ id: 'e', type: 'echo', config: { value: '${OLD_TOKEN}' } }] });
    const failed = await c.executions.wait((await c.trigger(user.id)).executionId, { timeoutMs: 10_000 });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'CRYPTO_FAILED', details: { variable: 'OLD_TOKEN' } });
    expect(failed.error?.message).toContain('${OLD_TOKEN}');
  });

  it('a sensitive value quoted in an error message is masked before it is stored', async () => {
    const c = await system();
    await c.variables.set({ name: 'DB_PASSWORD', value: 'p@ss-w0rd-Ánh', sensitive: true });
    const job = await c.jobs.create({ name: 'leaky', steps: [{ id: 'e', type: 'echo', config: { value: 'postgres://u:${DB_PASSWORD}@db/x' } }, { id: 'f', type: 'flaky', config: { dsn: '${DB_PASSWORD}' } }] });
    const e = await c.executions.wait((await c.trigger(job.id)).executionId, { timeoutMs: 10_000 });
    expect(e.status).toBe('failed');
    const attempts = await c.executions.steps(e.id);
    const stored = JSON.stringify([attempts.map((a) => a.error), e.error, e.context.steps.f]);
    expect(stored).toContain('permanent fault with config {\\"dsn\\":\\"••••••\\"}');
    expect(stored).not.toContain('p@ss-w0rd');
  });

  it('refuses a sensitive variable when no encryption key is configured', async () => {
    cron = createCronSystem({ executors: [echoExecutor()] });
    await expect(cron.variables.set({ name: 'X', value: 'y', sensitive: true })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(cron.variables.set({ name: 'bad-name', value: 'y' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
