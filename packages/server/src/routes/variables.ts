import { encryptPermissionReason, variableNameSchema } from '@vecron/sdk';
import { z } from 'zod';
import { forbidden, notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';

const listQuery = z.object({ job_id: z.uuid().optional(), scope: z.enum(['global', 'all']).optional() }).strict();
const setBody = z.object({ value: z.string().max(65_536), sensitive: z.boolean().default(false), job_id: z.uuid().nullable().optional() }).strict();
const deleteQuery = z.object({ job_id: z.uuid().optional() }).strict();

/** Global and job-scoped variables; sensitive values are write-only (always masked when read). */
export function variableRoutes(d: ApiDeps) {
  const name = (params: Record<string, string>): string => {
    const r = variableNameSchema.safeParse(params.name);
    if (!r.success) throw notFound('variable', String(params.name));
    return r.data;
  };
  const view = (v: { name: string; jobId: string | null; value: string; sensitive: boolean; updatedAt: Date }) => ({
    name: v.name, job_id: v.jobId, value: v.value, sensitive: v.sensitive, updated_at: v.updatedAt.toISOString(),
  });
  return [
    defineRoute({
      method: 'get', path: '/variables', access: 'variable:read', tag: 'variable', summary: 'List variables (global, one job\'s, or all); sensitive values masked', query: listQuery,
      async handler(ctx) {
        const list = await d.cron.variables.list(ctx.query.job_id ?? (ctx.query.scope === 'global' ? null : undefined));
        return { body: { items: list.map(view) } };
      },
    }),
    defineRoute({
      method: 'put', path: '/variables/:name', access: 'variable:write', action: 'variable.set', tag: 'variable', summary: 'Create or replace a variable (creating, replacing or downgrading a sensitive one needs variable:encrypt)', body: setBody,
      async handler(ctx) {
        const n = name(ctx.params);
        const b = ctx.body;
        ctx.resource = `variable:${b.job_id ?? 'global'}:${n}`;
        ctx.auditDetails.sensitive = b.sensitive;
        if (b.job_id && !(await d.cron.jobs.get(b.job_id))) throw notFound('job', b.job_id);
        // Creating, replacing or downgrading a sensitive variable all need variable:encrypt.
        const existing = (await d.cron.variables.list(b.job_id ?? null)).find((v) => v.name === n && (v.jobId ?? null) === (b.job_id ?? null));
        const why = encryptPermissionReason(existing, { sensitive: b.sensitive });
        if (why && !ctx.principal!.permissions.has('variable:encrypt')) {
          throw forbidden(why === 'downgrade' ? 'changing a sensitive variable to a plain one needs permission variable:encrypt' : 'missing permission variable:encrypt', { permission: 'variable:encrypt' });
        }
        await d.cron.variables.set({ name: n, value: b.value, sensitive: b.sensitive, jobId: b.job_id ?? null });
        const stored = (await d.cron.variables.list(b.job_id ?? null)).find((v) => v.name === n);
        return { body: stored ? view(stored) : null };
      },
    }),
    defineRoute({
      method: 'delete', path: '/variables/:name', access: 'variable:write', action: 'variable.delete', tag: 'variable', summary: 'Delete a variable (a sensitive one needs variable:encrypt)', query: deleteQuery,
      async handler(ctx) {
        const n = name(ctx.params);
        ctx.resource = `variable:${ctx.query.job_id ?? 'global'}:${n}`;
        const existing = (await d.cron.variables.list(ctx.query.job_id ?? null)).find((v) => v.name === n && (v.jobId ?? null) === (ctx.query.job_id ?? null));
        if (encryptPermissionReason(existing, 'delete') && !ctx.principal!.permissions.has('variable:encrypt')) throw forbidden('deleting a sensitive variable needs permission variable:encrypt', { permission: 'variable:encrypt' });
        if (!(await d.cron.variables.delete(n, ctx.query.job_id ?? null))) throw notFound('variable', n);
        return { status: 204 };
      },
    }),
  ];
}
