import { z } from 'zod';
import { notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { webhookAdmin } from '../webhooks/webhook-admin.js';
import { idParam, pagination } from './common.js';

const createBody = z.object({ job_id: z.uuid() }).strict();
const rotateBody = z.object({ grace_seconds: z.number().int().min(0).max(30 * 86_400).optional() }).strict();
const listQuery = z.object({ job_id: z.uuid().optional(), ...pagination }).strict();

/** Webhook endpoints: create (secret shown once), rotate the secret, show the URL, delete. */
export function webhookRoutes(d: ApiDeps) {
  const hooks = webhookAdmin(d);
  const { view } = hooks;
  return [
    defineRoute({
      method: 'get', path: '/webhooks', access: 'webhook:read', tag: 'webhook', summary: 'List webhook endpoints', query: listQuery,
      async handler(ctx) {
        return { body: { items: (await d.webhooks.list(ctx.query.job_id, ctx.query.limit, ctx.query.offset)).map(view) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/webhooks', access: 'webhook:write', action: 'webhook.create', tag: 'webhook', successStatus: 201, summary: 'Create a webhook endpoint for a job; the secret is returned once', body: createBody,
      async handler(ctx) {
        const { webhook, secret } = await hooks.create(ctx.body.job_id, ctx.principal!.id);
        ctx.resource = `webhook:${webhook.id}`;
        return { status: 201, body: { ...view(webhook), secret } };
      },
    }),
    defineRoute({
      method: 'get', path: '/webhooks/:id', access: 'webhook:read', tag: 'webhook', summary: 'Show a webhook endpoint and its URL (never the secret)',
      async handler(ctx) {
        const w = await d.webhooks.get(idParam(ctx.params, 'webhook'));
        if (!w) throw notFound('webhook', ctx.params.id!);
        return { body: view(w) };
      },
    }),
    defineRoute({
      method: 'post', path: '/webhooks/:id/rotate', access: 'webhook:write', action: 'webhook.rotate', tag: 'webhook', summary: 'Issue a new secret; older ones stay valid for grace_seconds', body: rotateBody,
      async handler(ctx) {
        const id = idParam(ctx.params, 'webhook');
        const r = await hooks.rotate(id, ctx.body.grace_seconds);
        return { body: { ...view(r.webhook), secret: r.secret } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/webhooks/:id', access: 'webhook:write', action: 'webhook.delete', tag: 'webhook', summary: 'Delete a webhook endpoint',
      async handler(ctx) {
        await hooks.remove(idParam(ctx.params, 'webhook'));
        return { status: 204 };
      },
    }),
  ];
}
