/**
 * Issue 12, "`jobs.create(definition: JobDefinitionInput | unknown)` collapses to `unknown`": a
 * job definition is typed, steps by the system's executors. The `@ts-expect-error` lines are the
 * test: `pnpm typecheck` fails when one of them compiles (as all of them did before). The runtime
 * part checks save-time config validation and `createFromJson`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCronSystem, defineExecutor, ValidationError } from '@vecron/sdk';
import type { CronSystem, JobDefinitionInput } from '@vecron/sdk';

const notify = defineExecutor({
  type: 'notify',
  config: z.object({ channel: z.string(), text: z.string(), retries: z.number().int().default(0) }).strict(),
  async execute(config) {
    return { sent: config.text.length };
  },
});

/** Stands in for a built-in plugin with a required field, an enum with a default and an optional number. */
const fetcher = defineExecutor({
  type: 'http',
  config: z.object({ url: z.string(), method: z.enum(['GET', 'POST']).default('GET'), timeout_seconds: z.number().optional() }),
  async execute() {
    return { body: { count: 1 } };
  },
});

let open: CronSystem | undefined;
afterEach(async () => {
  await open?.stop({ graceMs: 0 });
  open = undefined;
});

/** Compile-time only: never called. */
export function compileTimeChecks(cron: ReturnType<typeof createCronSystem<[typeof notify, typeof fetcher]>>): void {
  void cron.jobs.create({
    name: 'ok',
    schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: 'Asia/Ho_Chi_Minh' },
    steps: [
      { id: 'fetch', type: 'http', config: { url: '${CORE_API}/x', method: 'GET', timeout_seconds: '{{ webhook.payload.t }}' } },
      { id: 'tell', type: 'notify', config: { channel: 'ops', text: 'n={{steps.fetch.output.body.count}}', retries: 2 } },
    ],
  });
  // @ts-expect-error misspelt top-level field and steps of the wrong type
  void cron.jobs.create({ nmae: 'x', steps: 'nope' });
  // @ts-expect-error not a definition at all
  void cron.jobs.create(12345);
  // @ts-expect-error a misspelt config field of a typed executor (excess property)
  void cron.jobs.create({ name: 'x', steps: [{ id: 'a', type: 'notify', config: { chanel: 'ops', text: 't' } }] });
  // @ts-expect-error a step type no executor of this system handles
  void cron.jobs.create({ name: 'x', steps: [{ id: 'a', type: 'ftp', config: {} }] });
  // @ts-expect-error a required config field is missing (http needs url)
  void cron.jobs.create({ name: 'x', steps: [{ id: 'a', type: 'http', config: { method: 'GET' } }] });
  // @ts-expect-error a number where a string is expected (and it is not a template)
  void cron.jobs.update('id', { name: 'x', steps: [{ id: 'a', type: 'notify', config: { channel: 7, text: 't' } }] });
  // Raw JSON goes through createFromJson, which takes anything and validates at run time.
  void cron.jobs.createFromJson(JSON.parse('{}') as unknown);
  // A plain `CronSystem` (untyped executors) still takes a typed definition.
  const plain: CronSystem = cron;
  const def: JobDefinitionInput = { name: 'x', steps: [{ id: 'a', type: 'anything', config: { any: 1 } }] };
  void plain.jobs.create(def);
}

describe('typed job definitions and save-time config checks', () => {
  it('refuses a misspelt config field at create, naming its path', async () => {
    const cron = createCronSystem({ executors: [notify, fetcher] });
    open = cron;
    const err = await cron.jobs.createFromJson({ name: 'x', steps: [{ id: 'a', type: 'notify', config: { chanel: 'ops', text: 't' } }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { path: '$.steps[0].config.channel', message: expect.any(String) },
      { path: '$.steps[0].config', message: expect.stringContaining('chanel') },
    ]);
    expect(await cron.jobs.list()).toEqual([]);
  });

  it('checks a templated config as far as the templates allow, and lists unknown ${VAR}s as warnings', async () => {
    const cron = createCronSystem({ executors: [notify] });
    open = cron;
    const def = { name: 't', steps: [{ id: 'a', type: 'notify', config: { channel: '${CHANNEL}', text: 't', retries: '{{ webhook.payload.n }}' } }] };
    const r = await cron.jobs.validate(def);
    expect(r).toMatchObject({ valid: true, issues: [], warnings: [{ path: '$.steps[0].config.channel', message: expect.stringContaining('${CHANNEL} is not defined') }] });
    await cron.variables.set({ name: 'CHANNEL', value: 'ops' });
    expect((await cron.jobs.validate(def)).warnings).toEqual([]);
    // A template does not hide a missing field elsewhere in the config.
    const missing = await cron.jobs.validate({ name: 't', steps: [{ id: 'a', type: 'notify', config: { channel: '${CHANNEL}' } }] });
    expect(missing).toMatchObject({ valid: false, issues: [{ path: '$.steps[0].config.text' }] });
  });
});
