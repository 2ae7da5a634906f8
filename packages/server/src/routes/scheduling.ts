import { BUILT_IN_CALENDARS, calendarDefinitionSchema } from '@vecron/sdk/calendar';
import type { BusinessCalendar } from '@vecron/sdk/calendar';
import type { Explanation } from '@vecron/sdk';
import { z } from 'zod';
import { notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { idParam } from './common.js';

const CALENDAR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const yearQuery = z.object({ year: z.coerce.number().int().min(1900).max(2199).optional(), only: z.enum(['all', 'holidays']).default('all') }).strict();
const explainQuery = z.object({ n: z.coerce.number().int().min(1).max(500).default(10), from: z.iso.datetime({ offset: true }).optional() }).strict();
const backfillBody = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    dry_run: z.boolean().default(true),
    limit: z.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();

/** A calendar name from the path, or a 404 (a malformed name is as unknown as a missing one). */
function calendarName(params: Record<string, string>): string {
  const name = params.name ?? '';
  if (!CALENDAR_NAME.test(name)) throw notFound('calendar', name);
  return name;
}

const calendarSummary = (cal: BusinessCalendar): Record<string, unknown> => ({
  name: cal.name,
  description: cal.resolved.description ?? null,
  timezone: cal.timezone,
  built_in: cal.name in BUILT_IN_CALENDARS,
  excluded_weekdays: [...cal.resolved.excludedWeekdays],
  rules: [...cal.resolved.rules],
  chain: [...cal.resolved.chain],
});

/** An explanation as JSON (instants as ISO strings). */
export function explanationView(ex: Explanation): Record<string, unknown> {
  return {
    job: ex.job,
    timezone: ex.timezone,
    policies: { overlap: ex.policies.overlap, catchup: ex.policies.catchup, jitter_seconds: ex.policies.jitterSeconds },
    entries: ex.entries.map((e) => ({
      nominal: e.nominal.toISOString(), runs_at: e.runsAt?.toISOString() ?? null, starts_at: e.startsAt?.toISOString() ?? null, outcome: e.outcome, reason: e.reason,
    })),
    text: ex.text,
  };
}

/**
 * Business calendars (list, read, a year's days with reasons, define, delete), `explain` of a
 * job's next fires and backfill of a date range (dry run by default): the SDK's scheduling
 * features over the API, so the dashboard and scripts use the same routes.
 */
export function schedulingRoutes(d: ApiDeps) {
  const mustGetCalendar = async (name: string): Promise<BusinessCalendar> => {
    if (!(await d.cron.calendars.list()).includes(name)) throw notFound('calendar', name);
    return d.cron.calendars.get(name);
  };
  return [
    defineRoute({
      method: 'get', path: '/calendars', access: 'job:read', tag: 'calendar', summary: 'List business calendars (built-in and defined)',
      async handler() {
        const names = await d.cron.calendars.list();
        const items = await Promise.all(names.map(async (n) => calendarSummary(await d.cron.calendars.get(n))));
        return { body: { items } };
      },
    }),
    defineRoute({
      method: 'get', path: '/calendars/:name', access: 'job:read', tag: 'calendar', summary: 'A business calendar (zone, weekly rest days, rules, what it extends)',
      async handler(ctx) {
        return { body: calendarSummary(await mustGetCalendar(calendarName(ctx.params))) };
      },
    }),
    defineRoute({
      method: 'get', path: '/calendars/:name/days', access: 'job:read', tag: 'calendar', summary: "A year's days of a calendar: business day or not, and why", query: yearQuery,
      async handler(ctx) {
        const cal = await mustGetCalendar(calendarName(ctx.params));
        const year = ctx.query.year ?? Number(new Intl.DateTimeFormat('en', { timeZone: cal.timezone, year: 'numeric' }).format(d.now()));
        const days = [];
        for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) {
          const day = cal.describeDay(new Date(t).toISOString().slice(0, 10));
          if (ctx.query.only === 'holidays' && (day.businessDay || day.kind === 'weekend')) continue;
          days.push({ date: day.date, business_day: day.businessDay, reason: day.reason, kind: day.kind, source: day.source });
        }
        return { body: { name: cal.name, timezone: cal.timezone, year, business_days: days.filter((x) => x.business_day).length, days } };
      },
    }),
    defineRoute({
      method: 'post', path: '/calendars', access: 'job:write', action: 'calendar.define', tag: 'calendar', summary: 'Define (or replace) a business calendar', body: calendarDefinitionSchema, successStatus: 201,
      async handler(ctx) {
        const name = ctx.body.name;
        ctx.resource = `calendar:${name}`;
        const existed = (await d.cron.calendars.list()).includes(name);
        await d.cron.calendars.define(ctx.req.body);
        ctx.auditDetails.replaced = existed;
        return { status: existed ? 200 : 201, body: calendarSummary(await d.cron.calendars.get(name)), headers: { Location: `/api/calendars/${encodeURIComponent(name)}` } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/calendars/:name', access: 'job:write', action: 'calendar.delete', tag: 'calendar', summary: 'Delete a defined business calendar',
      async handler(ctx) {
        const name = calendarName(ctx.params);
        ctx.resource = `calendar:${name}`;
        if (!(await d.cron.calendars.delete(name))) throw notFound('calendar', name);
      },
    }),
    defineRoute({
      method: 'get', path: '/jobs/:id/explain', access: 'job:read', tag: 'job', summary: "A job's next fires with the shifted and skipped ones between them, and why", query: explainQuery,
      async handler(ctx) {
        const id = idParam(ctx.params, 'job');
        if (!(await d.cron.jobs.get(id))) throw notFound('job', id);
        const ex = await d.cron.explain(id, { n: ctx.query.n, ...(ctx.query.from ? { from: new Date(ctx.query.from) } : {}) });
        return { body: explanationView(ex) };
      },
    }),
    defineRoute({
      method: 'post', path: '/jobs/:id/backfill', access: 'job:write', action: 'job.backfill', tag: 'job', summary: 'Create the runs a date range would have had (dry_run lists them; idempotent)', body: backfillBody,
      async handler(ctx) {
        const id = idParam(ctx.params, 'job');
        if (!(await d.cron.jobs.get(id))) throw notFound('job', id);
        const b = ctx.body;
        const r = await d.cron.backfill(id, { from: new Date(b.from), to: new Date(b.to), dryRun: b.dry_run, limit: b.limit });
        const created = r.runs.filter((x) => x.created).length;
        Object.assign(ctx.auditDetails, { from: b.from, to: b.to, dry_run: b.dry_run, runs: r.runs.length, created });
        return {
          status: b.dry_run ? 200 : 201,
          body: {
            dry_run: r.dryRun,
            runs: r.runs.map((x) => ({ scheduled_for: x.scheduledFor.toISOString(), execution_id: x.executionId, created: x.created })),
            skipped: r.skipped.map((x) => ({ nominal: x.nominal.toISOString(), reason: x.reason })),
            created,
          },
        };
      },
    }),
  ];
}
