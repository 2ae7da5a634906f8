import { jobDefinitionSchema, ValidationError } from '@vecron/sdk';
import type { Job } from '@vecron/sdk';
import { z } from 'zod';
import { notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { restoreSecrets } from '../transfer/secret-fields.js';
import { executionView, idParam, jobView, pagination } from './common.js';

const listQuery = z.object({ enabled: z.enum(['true', 'false']).optional(), ...pagination }).strict();
const triggerBody = z.object({ payload: z.unknown().optional() }).strict();
const previewQuery = z.object({ count: z.coerce.number().int().min(1).max(100).default(10) }).strict();
const ledgerQuery = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
const idempotencyKey = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** Loads jobs and shapes them for the API; shared by the job routes. */
interface JobHelpers {
  mustGet(id: string): Promise<Job>;
  /** Jobs as the API returns them, with their fire times (one query for the whole list). */
  views(jobs: Job[]): Promise<Array<Record<string, unknown>>>;
  view(job: Job): Promise<Record<string, unknown>>;
  /** The submitted definition with masked secrets restored from `existing`. */
  withSecrets(raw: unknown, existing: unknown): unknown;
}

function jobHelpers(d: ApiDeps): JobHelpers {
  const mustGet = async (id: string): Promise<Job> => {
    const job = await d.cron.jobs.get(id);
    if (!job) throw notFound('job', id);
    return job;
  };
  const views = async (jobs: Job[]): Promise<Array<Record<string, unknown>>> => {
    const times = new Map((await d.cron.jobs.fireTimes(jobs.map((j) => j.id))).map((t) => [t.jobId, t]));
    return jobs.map((j) => jobView(j, times.get(j.id)));
  };
  return {
    mustGet,
    views,
    view: async (job) => (await views([job]))[0]!,
    withSecrets(raw, existing) {
      const { value, issues } = restoreSecrets(raw, existing);
      if (issues.length) throw new ValidationError('job definition', issues);
      return value;
    },
  };
}

/** Jobs CRUD, enable/disable, trigger, preview of next fires, fire ledger. */
export function jobRoutes(d: ApiDeps) {
  const h = jobHelpers(d);
  return [...crudRoutes(d, h), ...stateRoutes(d, h), triggerRoute(d, h), ...scheduleRoutes(d, h)];
}

/** List, create, validate, get, replace, delete. */
function crudRoutes(d: ApiDeps, { mustGet, views, view, withSecrets }: JobHelpers) {
  return [
    defineRoute({
      method: 'get', path: '/jobs', access: 'job:read', tag: 'job', summary: 'List jobs', query: listQuery, response: 'JobList',
      async handler(ctx) {
        const q = ctx.query;
        const jobs = await d.cron.jobs.list({ ...(q.enabled ? { enabled: q.enabled === 'true' } : {}), limit: q.limit, offset: q.offset });
        return { body: { items: await views(jobs), limit: q.limit, offset: q.offset } };
      },
    }),
    defineRoute({
      method: 'post', path: '/jobs', access: 'job:write', action: 'job.create', tag: 'job', summary: 'Create a job', response: 'Job', body: jobDefinitionSchema, successStatus: 201,
      async handler(ctx) {
        const job = await d.cron.jobs.createFromJson(withSecrets(ctx.req.body, undefined));
        ctx.resource = `job:${job.id}`;
        ctx.auditDetails.name = job.name;
        return { status: 201, body: await view(job), headers: { Location: `/api/jobs/${job.id}` } };
      },
    }),
    defineRoute({
      method: 'post', path: '/jobs/validate', access: 'job:read', action: 'job.validate', tag: 'job', summary: 'Validate a job definition without saving it', body: z.unknown(),
      async handler(ctx) {
        // The same check as POST /api/jobs (schema, step types, step configs, references, calendar).
        const r = await d.cron.jobs.validate(ctx.req.body);
        if (!r.valid) throw new ValidationError('job definition', r.issues);
        return { body: { valid: true, warnings: r.warnings } };
      },
    }),
    defineRoute({
      method: 'get', path: '/jobs/:id', access: 'job:read', tag: 'job', summary: 'Get a job', response: 'Job',
      async handler(ctx) {
        return { body: await view(await mustGet(idParam(ctx.params, 'job'))) };
      },
    }),
    defineRoute({
      method: 'put', path: '/jobs/:id', access: 'job:write', action: 'job.update', tag: 'job', summary: 'Replace a job definition (masked secrets keep their stored value)', response: 'Job', body: jobDefinitionSchema,
      async handler(ctx) {
        const existing = await mustGet(idParam(ctx.params, 'job'));
        const job = await d.cron.jobs.updateFromJson(existing.id, withSecrets(ctx.req.body, existing.definition));
        return { body: await view(job) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/jobs/:id', access: 'job:delete', action: 'job.delete', tag: 'job', summary: 'Delete a job, its schedule and executions',
      async handler(ctx) {
        if (!(await d.cron.jobs.delete(idParam(ctx.params, 'job')))) throw notFound('job', ctx.params.id!);
        return { status: 204 };
      },
    }),
  ];
}

/** Enable and disable. */
function stateRoutes(d: ApiDeps, { mustGet, view }: JobHelpers) {
  return [
    defineRoute({
      method: 'post', path: '/jobs/:id/enable', access: 'job:write', action: 'job.enable', tag: 'job', summary: 'Enable a job', response: 'Job',
      async handler(ctx) {
        return { body: await view(await d.cron.jobs.enable((await mustGet(idParam(ctx.params, 'job'))).id)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/jobs/:id/disable', access: 'job:write', action: 'job.disable', tag: 'job', summary: 'Disable a job', response: 'Job',
      async handler(ctx) {
        return { body: await view(await d.cron.jobs.disable((await mustGet(idParam(ctx.params, 'job'))).id)) };
      },
    }),
  ];
}

/** Start a job now (idempotent per user and Idempotency-Key). */
function triggerRoute(d: ApiDeps, { mustGet }: JobHelpers) {
  return defineRoute({
    method: 'post', path: '/jobs/:id/trigger', access: 'job:execute', action: 'job.trigger', tag: 'job', successStatus: 202,
    summary: 'Start a job now; the same Idempotency-Key header returns the first execution', body: triggerBody,
    async handler(ctx) {
      const job = await mustGet(idParam(ctx.params, 'job'));
      const header = ctx.req.get('idempotency-key');
      let key: string | undefined;
      if (header !== undefined) {
        const r = idempotencyKey.safeParse(header);
        if (!r.success) throw new ValidationError('headers', [{ path: '$.headers["idempotency-key"]', message: r.error.issues[0]!.message }]);
        key = r.data;
      }
      const p = ctx.principal!;
      const { executionId, created } = await d.cron.trigger(job.id, {
        source: 'manual',
        ...(ctx.body.payload === undefined ? {} : { payload: ctx.body.payload }),
        // A user's key is scoped to them, so two users cannot collide on (or probe) each other's keys.
        ...(key ? { idempotencyKey: `${p.id}:${key}` } : {}),
        metadata: { triggered_by: p.id, triggered_by_username: p.username, ip: ctx.ip, ...d.traceContext() },
      });
      ctx.auditDetails.execution_id = executionId;
      const execution = await d.cron.executions.get(executionId);
      return { status: 202, body: { execution_id: executionId, created, execution: execution ? executionView(execution) : null }, headers: { Location: `/api/executions/${executionId}` } };
    },
  });
}

/** Next fire times and the fire ledger. */
function scheduleRoutes(d: ApiDeps, { mustGet }: JobHelpers) {
  return [
    defineRoute({
      method: 'get', path: '/jobs/:id/preview', access: 'job:read', tag: 'job', summary: 'Next fire times of a job', query: previewQuery,
      async handler(ctx) {
        const job = await mustGet(idParam(ctx.params, 'job'));
        if (!job.definition.schedule) return { body: { job_id: job.id, fires: [] } };
        const fires = await d.cron.jobs.preview(job.id, ctx.query.count);
        return { body: { job_id: job.id, timezone: (job.definition.schedule as { timezone?: string }).timezone ?? d.config.scheduler.timezone, fires: fires.map((f) => f.toISOString()) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/jobs/:id/ledger', access: 'job:read', tag: 'job', summary: 'Fire ledger: fired, skipped and missed instants', query: ledgerQuery,
      async handler(ctx) {
        const job = await mustGet(idParam(ctx.params, 'job'));
        const q = ctx.query;
        const rows = await d.cron.ledger(job.id, { ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}), limit: q.limit });
        return { body: { items: rows.map((r) => ({ fire_at: r.fireAt.toISOString(), outcome: r.outcome, reason: r.reason, execution_id: r.executionId, recorded_at: r.recordedAt.toISOString() })) } };
      },
    }),
  ];
}
