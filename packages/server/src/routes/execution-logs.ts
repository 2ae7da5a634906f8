import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StoredStepLogLine } from '@vecron/sdk';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { mustGetVisible } from './executions.js';
import { scrubSecrets } from './scrub.js';

const logsQuery = z
  .object({
    step_id: z.string().min(1).max(200).optional(),
    attempt: z.coerce.number().int().min(1).max(1_000_000).optional(),
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** A stored step log line as the API returns it. */
export function stepLogView(l: StoredStepLogLine): Record<string, unknown> {
  return { id: l.id, step_id: l.stepId, attempt: l.attempt, seq: l.seq, at: l.at.toISOString(), level: l.level, message: l.message, fields: l.fields };
}

/** JSON schema of a page of {@link stepLogView} (OpenAPI `components.schemas.StepLogPage`). */
export const stepLogPageJsonSchema = {
  type: 'object',
  required: ['items', 'next_after'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'step_id', 'attempt', 'seq', 'at', 'level', 'message', 'fields'],
        properties: {
          id: { type: 'integer', description: 'order of the line in the execution\'s log; pass the last one as ?after= to read on' },
          step_id: { type: 'string' }, attempt: { type: 'integer' }, seq: { type: 'integer', description: '1, 2, … within the attempt' },
          at: { type: 'string', format: 'date-time' }, level: { type: 'string', enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
          message: { type: 'string' }, fields: { type: ['object', 'null'], description: 'the line\'s own fields; a last line with fields.truncated = true says how much of the attempt\'s log was left out' },
        },
      },
    },
    next_after: { type: ['integer', 'null'], description: 'pass as ?after= for the next page; null when this page is the last for now' },
  },
} as const;

/** JSON schema of the recorded files list (OpenAPI `components.schemas.ExecutionFileList`). */
export const executionFileListJsonSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object', required: ['name', 'step_id', 'size', 'download'],
        properties: {
          name: { type: 'string', description: 'path inside the execution\'s file area (out/report.csv)' }, step_id: { type: 'string' },
          size: { type: 'integer' }, download: { type: 'string', description: 'the download URL, relative to the server' },
        },
      },
    },
  },
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8', '.tsv': 'text/tab-separated-values; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json', '.xml': 'application/xml', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.xls': 'application/vnd.ms-excel', '.zip': 'application/zip', '.gz': 'application/gzip', '.pdf': 'application/pdf',
};

/** The Content-Type a downloaded file is served with (by its extension; anything else is octet-stream). */
export function fileContentType(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** A Content-Disposition that downloads the file under its own name (RFC 6266: ASCII fallback and UTF-8). */
export function attachmentDisposition(name: string): string {
  const base = path.posix.basename(name);
  const ascii = base.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The download URL of a recorded file. */
export const fileDownloadPath = (executionId: string, name: string): string => `/api/executions/${executionId}/files/${encodeURIComponent(name)}`;

/**
 * Step logs and recorded files of an execution: `GET /executions/:id/logs` (paged per step
 * attempt), `GET /executions/:id/files` and `GET /executions/:id/files/:name` (a download, audited).
 * Readable by whoever may read the execution (`execution:read`, and only their own runs without
 * the all-executions scope).
 */
export function executionLogRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/executions/:id/logs', access: 'execution:read', tag: 'execution', response: 'StepLogPage', query: logsQuery,
      summary: 'What the steps logged through ctx.logger, per step attempt (filter by step_id, attempt), in order, paged with ?after=; new lines are announced on /api/events as execution.step.log',
      async handler(ctx) {
        const e = await mustGetVisible(d, ctx.principal!, ctx.params);
        const q = ctx.query;
        const lines = await d.cron.executions.logs(e.id, {
          ...(q.step_id ? { stepId: q.step_id } : {}), ...(q.attempt ? { attempt: q.attempt } : {}), ...(q.after ? { after: q.after } : {}), limit: q.limit,
        });
        // Masked when written; masked again with today's sensitive values (one set after the run).
        const items = await scrubSecrets(d, e.jobId, lines.map(stepLogView));
        return { body: { items, next_after: lines.length === q.limit ? lines.at(-1)!.id : null } };
      },
    }),
    defineRoute({
      method: 'get', path: '/executions/:id/files', access: 'execution:read', tag: 'execution', response: 'ExecutionFileList',
      summary: 'Files the execution\'s steps recorded in their outputs (files[].path, file.path) that exist in its file area on the server',
      async handler(ctx) {
        const e = await mustGetVisible(d, ctx.principal!, ctx.params);
        const files = await d.cron.executions.files(e.id);
        return { body: { items: files.map((f) => ({ name: f.name, step_id: f.stepId, size: f.size, download: fileDownloadPath(e.id, f.name) })) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/executions/:id/files/:name', access: 'execution:read', tag: 'execution',
      summary: 'Download one recorded file (name from /files, URL-encoded): only files the execution recorded inside its own file area; every download is audited',
      async handler(ctx) {
        const e = await mustGetVisible(d, ctx.principal!, ctx.params);
        const name = ctx.params.name ?? '';
        // Only a name the execution recorded is served: no path is ever built from the request.
        const file = (await d.cron.executions.files(e.id)).find((f) => f.name === name);
        if (!file) throw new ApiError(404, 'NOT_FOUND', `execution ${e.id} recorded no file named "${name.slice(0, 200)}"`);
        ctx.resource = `execution:${e.id}`;
        await d.audit.append({
          actorId: ctx.principal!.id, actor: ctx.principal!.username, action: 'execution.file.download', resource: `execution:${e.id}`, ip: ctx.ip, result: 'ok',
          details: { method: 'GET', file: file.name, size: file.size, step_id: file.stepId },
        });
        const stream = createReadStream(file.path);
        await new Promise<void>((resolve, reject) => {
          stream.once('open', () => resolve());
          stream.once('error', reject);
        });
        ctx.res.status(200).set({ 'Content-Type': fileContentType(file.name), 'Content-Disposition': attachmentDisposition(file.name), 'Content-Length': String(file.size) });
        await pipeline(stream, ctx.res).catch((err: unknown) => d.logger.warn({ err, executionId: e.id, file: file.name }, 'file download ended early'));
      },
    }),
  ];
}
