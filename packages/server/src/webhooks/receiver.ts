import express from 'express';
import type { Request, Response, Router } from 'express';
import type { CronSystem } from '@vecron/sdk';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { ServerConfig } from '../config/config-schema.js';
import { ApiError, toErrorResponse, tooManyRequests } from '../http/api-error.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import type { TraceContextCarrier } from '../observability/tracing.js';
import { verifyWebhookSignature } from './signature.js';
import { isUuid } from '../store/server-store.js';
import { assertSafeJson } from '../http/json-guard.js';
import type { WebhookStore } from './webhook-store.js';

/** What the receiver needs. */
export interface WebhookReceiverDeps {
  config: ServerConfig;
  cron: CronSystem;
  webhooks: WebhookStore;
  limiter: RateLimiter;
  audit: AuditLog;
  logger: Logger;
  clientIp(req: Request): string;
  traceContext: TraceContextCarrier;
  now(): Date;
}

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;
/** Headers that must not land in the execution context. */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'x-vecron-signature', 'proxy-authorization']);

/**
 * `POST /webhooks/:id` — outside JWT auth. Order of checks: size (413), endpoint (404),
 * timestamp window (401), delivery id present (400), signature (401), job and trigger enabled
 * (403), rate limit (429), delivery id or signature seen before (409), then 202 with the
 * execution id. No secret of the endpoint decrypts (its key was removed): 409 SECRET_UNDECRYPTABLE.
 * Every error body carries the request id (`x-request-id`).
 */
export function webhookReceiver(d: WebhookReceiverDeps): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: d.config.webhooks.max_body_bytes });
  router.post('/webhooks/:id', raw, async (req: Request, res: Response) => {
    const id = String(req.params.id);
    let result = 'ok';
    let resource: string | null = isUuid(id) ? `webhook:${id}` : null;
    let executionId: string | null = null;
    let audited = true;
    let suppressed = false;
    try {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const now = d.now();
      const hook = await d.webhooks.validSecrets(id, now);
      if (!hook) throw new ApiError(404, 'NOT_FOUND', `webhook ${id} not found`);
      const job = await d.cron.jobs.get(hook.jobId);
      if (!job) throw new ApiError(404, 'NOT_FOUND', `webhook ${id} not found`);
      resource = `job:${job.id}`;
      const ts = req.get('x-vecron-timestamp') ?? '';
      const sig = req.get('x-vecron-signature') ?? '';
      const tsNum = /^\d{1,12}$/.test(ts) ? Number(ts) : NaN;
      if (!Number.isFinite(tsNum) || Math.abs(now.getTime() / 1000 - tsNum) > d.config.webhooks.tolerance_seconds) {
        throw new ApiError(401, 'WEBHOOK_STALE', 'timestamp missing or outside the allowed window');
      }
      const delivery = req.get('x-vecron-delivery') ?? '';
      if (!DELIVERY_ID.test(delivery)) throw new ApiError(400, 'VALIDATION_FAILED', 'X-Vecron-Delivery header is required (printable ASCII, ≤ 200 chars)');
      const secrets = [...hook.secrets, ...(job.definition.triggers.webhook?.secret_key ? [job.definition.triggers.webhook.secret_key] : [])];
      if (hook.undecryptable.length) {
        d.logger.error({ webhook: id, secrets: hook.undecryptable.map((u) => ({ id: u.secretId, keyId: u.error.details.keyId ?? null, message: u.error.message })) }, 'webhook secret cannot be decrypted: configure its key in security.previous_encryption_keys, or rotate the webhook secret');
        // No secret left to verify with: the server's state is at fault, not the caller's signature.
        if (!secrets.length) throw hook.undecryptable[0]!.error;
      }
      if (!verifyWebhookSignature(secrets, ts, body, sig, { deliveryId: delivery, allowLegacy: d.config.webhooks.legacy_signatures })) {
        throw new ApiError(401, 'WEBHOOK_SIGNATURE_INVALID', d.config.webhooks.legacy_signatures || sig.startsWith('v2=') ? 'signature does not match' : 'signature does not match (only v2= signatures are accepted)');
      }
      if (!job.enabled || !job.definition.triggers.webhook?.enabled) throw new ApiError(403, 'WEBHOOK_DISABLED', 'the job or its webhook trigger is disabled');
      const limit = job.definition.triggers.webhook.rate_limit ?? { max_requests: d.config.webhooks.default_max_requests, window_seconds: d.config.webhooks.default_window_seconds };
      const rate = await d.limiter.hit(`webhook:job:${job.id}`, limit.max_requests, limit.window_seconds * 1000);
      if (!rate.allowed) throw tooManyRequests('webhook rate limit reached for this job', rate.retryAfterMs);
      if (!(await d.webhooks.recordDelivery(id, delivery, now, sig))) throw new ApiError(409, 'WEBHOOK_REPLAY', 'this delivery or this signature was already received');
      const text = body.toString('utf8');
      let payload: unknown = text;
      if ((req.get('content-type') ?? '').includes('json') && text.length) {
        try {
          payload = JSON.parse(text);
        } catch {
          throw new ApiError(400, 'INVALID_JSON', 'body is not valid JSON');
        }
        assertSafeJson(payload, 'webhook body');
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!DROPPED_HEADERS.has(k) && typeof v === 'string') headers[k] = v;
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') query[k] = v;
      const r = await d.cron.trigger(job.id, {
        source: 'webhook',
        idempotencyKey: `${id}:${delivery}`,
        webhook: { payload, headers, query_params: query },
        metadata: { webhook_id: id, delivery_id: delivery, ip: d.clientIp(req), ...d.traceContext() },
      });
      executionId = r.executionId;
      await d.webhooks.attachExecution(id, delivery, r.executionId);
      res.status(202).json({ execution_id: r.executionId });
    } catch (err) {
      const requestId = String(res.getHeader('x-request-id') ?? '');
      let out = toErrorResponse(err, requestId);
      // Unauthenticated refusals (unknown endpoint, stale or bad signature) are limited per IP and
      // per endpoint; beyond the limit the caller gets 429 and only one audit record per window.
      if (out.status === 401 || out.status === 404) {
        const ip = d.clientIp(req);
        const f = d.config.webhooks;
        const windowMs = f.failure_window_seconds * 1000;
        const [byIp, byHook] = await Promise.all([
          d.limiter.hit(`webhook:fail:ip:${ip}`, f.failure_max_per_ip, windowMs),
          d.limiter.hit(`webhook:fail:hook:${isUuid(id) ? id : 'invalid'}`, f.failure_max_per_endpoint, windowMs),
        ]);
        if (!byIp.allowed || !byHook.allowed) {
          out = toErrorResponse(tooManyRequests('too many refused webhook calls; retry later', Math.max(byIp.retryAfterMs, byHook.retryAfterMs)), requestId);
          const first = await d.limiter.hit(`webhook:fail-audited:${byIp.allowed ? `hook:${id}` : `ip:${ip}`}`, 1, windowMs);
          audited = first.allowed;
          suppressed = true;
        }
      }
      result = out.body.error.code;
      if (out.status >= 500) d.logger.error({ err }, 'webhook receiver failed');
      for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
      res.status(out.status).json(out.body);
    }
    // Accepted deliveries are mutations; refused ones are denials: both are audited (refusals beyond
    // the failure limit once per window, marked `suppressed_until_window_end`).
    if (!audited) return;
    await d.audit
      .append({
        actorId: null, actor: isUuid(id) ? `webhook:${id}` : 'webhook:(invalid id)', action: 'webhook.receive', resource, ip: d.clientIp(req), result: result === 'ok' ? 'ok' : `denied:${result}`,
        details: { ...(executionId ? { execution_id: executionId } : {}), ...(suppressed ? { suppressed_until_window_end: true } : {}) },
      })
      .catch((err: unknown) => d.logger.error({ err }, 'audit append failed'));
  });
  return router;
}
