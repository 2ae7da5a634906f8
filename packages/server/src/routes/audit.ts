import { z } from 'zod';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { pagination } from './common.js';

const listQuery = z
  .object({ actor: z.string().max(100).optional(), action: z.string().max(100).optional(), resource: z.string().max(200).optional(), result: z.string().max(100).optional(), from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional(), ...pagination })
  .strict();

/** The audit log and its chain check. */
export function auditRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/audit', access: 'system:audit', tag: 'audit', summary: 'Audit records, newest first', query: listQuery,
      async handler(ctx) {
        const q = ctx.query;
        const items = await d.audit.list({ ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined } as Parameters<typeof d.audit.list>[0]);
        return { body: { items, limit: q.limit, offset: q.offset } };
      },
    }),
    defineRoute({
      method: 'get', path: '/audit/verify', access: 'system:audit', tag: 'audit', summary: 'Verify the hash chain of the whole audit log',
      async handler() {
        return { body: await d.audit.verify() };
      },
    }),
    defineRoute({
      method: 'get', path: '/audit/checkpoint', access: 'system:audit', tag: 'audit', summary: 'A signed checkpoint of the chain head (count and hash) to keep outside the server; `vecron audit verify --checkpoint FILE` detects truncation with it',
      async handler() {
        return { body: await d.audit.checkpoint() };
      },
    }),
  ];
}
