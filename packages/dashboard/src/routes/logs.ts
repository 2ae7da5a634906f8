import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request, Response, Router } from 'express';
import { NotFoundError } from '@vecron/sdk';
import type { Execution } from '@vecron/sdk';
import type { DashboardData } from '../data.js';
import type { SafeHtml } from '../html.js';
import type { Kit } from '../kit.js';
import { stepLogsPanel } from '../views/step-logs.js';

/** Lines the execution page shows at most (the API pages through all of them). */
const PAGE_LINES = 2000;

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8', '.tsv': 'text/tab-separated-values; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json', '.xml': 'application/xml', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.xls': 'application/vnd.ms-excel', '.zip': 'application/zip', '.gz': 'application/gzip', '.pdf': 'application/pdf',
};

/** The step logs panel of an execution (lines and fields scrubbed of the job's secrets). */
export async function logsPanel(kit: Kit, res: Response, e: Execution): Promise<SafeHtml> {
  const [lines, files, job] = await Promise.all([kit.cron.executions.logs(e.id, { limit: PAGE_LINES + 1 }), kit.cron.executions.files(e.id), kit.cron.jobs.get(e.jobId)]);
  const shown = await kit.scrub(e.jobId, lines.slice(0, PAGE_LINES));
  return stepLogsPanel(kit.state(res).view, {
    executionId: e.id, lines: shown, more: lines.length > PAGE_LINES,
    files: files.map((f) => ({ name: f.name, stepId: f.stepId, size: f.size })),
    stepNames: new Map((job?.definition.steps ?? []).map((s) => [s.id, s.name ?? s.id])),
  });
}

/**
 * The execution page's logs: `GET /fragments/executions/:id/logs` (the live-refreshed panel) and
 * `GET /executions/:id/files/:name` (a recorded file, for whoever may read the execution; audited).
 */
export function logRoutes(router: Router, kit: Kit, data: DashboardData): void {
  const { need, send } = kit;
  router.get('/fragments/executions/:id/logs', async (req, res) => {
    need(res, 'execution:read');
    await send(req, res, await logsPanel(kit, res, await data.mustGetExecution(req, res)));
  });
  router.get('/executions/:id/files/:name', async (req: Request, res: Response) => {
    need(res, 'execution:read');
    const e = await data.mustGetExecution(req, res);
    const name = String(req.params.name ?? '');
    // Only a name the execution recorded inside its own file area is served: no path comes from the request.
    const file = (await kit.cron.executions.files(e.id)).find((f) => f.name === name);
    if (!file) throw new NotFoundError('file', name.slice(0, 200));
    await kit.audit(req, res, { action: 'execution.file.download', resource: `execution:${e.id}`, result: 'ok', details: { file: file.name, size: file.size, step_id: file.stepId } });
    const stream = createReadStream(file.path);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const base = path.posix.basename(file.name);
    res.status(200).set({
      'content-type': CONTENT_TYPES[path.extname(base).toLowerCase()] ?? 'application/octet-stream',
      'content-disposition': `attachment; filename="${base.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(base)}`,
      'content-length': String(file.size),
    });
    await pipeline(stream, res).catch((err: unknown) => kit.onError(err, req));
  });
}
