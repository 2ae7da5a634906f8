

import { z } from 'zod';
import { notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { exportDocument, importJobs } from '../transfer/transfer.js';
import { idParam } from './common.js';

const importBody = z
  .object({ jobs: z.array(z.unknown()).min(1).max(1_000), mode: z.enum(['upsert', 'create']).default('upsert'), dry_run: z.boolean().default(false) })
  .strict();
const exportQuery = z.object({ ids: z.string().max(40_000).optional() }).strict();

/** Import and export of job definitions (single and bulk); secrets masked on export. */
export function transferRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'post', path: '/jobs/import', access: 'job:import', action: 'job.import', tag: 'job',
      summary: 'Import job definitions; per-item result with validation errors; masked secrets keep stored values', body: importBody,
      async handler(ctx) {
        const results = await importJobs(d.cron, ctx.body.jobs, { mode: ctx.body.mode, dryRun: ctx.body.dry_run });
        ctx.auditDetails.created = results.filter((r) => r.status === 'created').length;
        ctx.auditDetails.updated = results.filter((r) => r.status === 'updated').length;
        ctx.auditDetails.failed = results.filter((r) => r.status === 'error').length;
        const failed = results.some((r) => r.status === 'error');
        return { status: failed && results.every((r) => r.status === 'error') ? 400 : 200, body: { results } };
      },
    }),
    defineRoute({
      method: 'get', path: '/jobs/export', access: 'job:export', tag: 'job', summary: 'Export jobs (all, or ?ids=a,b) with secrets masked', query: exportQuery,
      async handler(ctx) {
        const ids = ctx.query.ids?.split(',').map((s) => s.trim()).filter(Boolean);
        return { body: await exportDocument(d.cron, ids) };
      },
    }),
    defineRoute({
      method: 'get', path: '/jobs/:id/export', access: 'job:export', tag: 'job', summary: 'Export one job with secrets masked',
      async handler(ctx) {
        const id = idParam(ctx.params, 'job');
        const job = await d.cron.jobs.get(id);
        if (!job) throw notFound('job', id);
        return { body: await exportDocument(d.cron, [id]) };
      },
    }),
  ];
}

