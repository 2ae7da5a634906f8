import type { ApiDeps } from '../http/deps.js';
import { notFound } from '../http/api-error.js';
import type { WebhookView } from './webhook-store.js';

/**
 * Webhook administration, one copy for the REST API (`routes/webhooks.ts`) and the dashboard's
 * admin pages (`http/dashboard-admin.ts`): the URL callers post to, how they sign, and create /
 * rotate / delete with their checks.
 */
export function webhookAdmin(d: Pick<ApiDeps, 'publicUrl' | 'config' | 'webhooks' | 'cron' | 'now'>) {
  const url = (id: string): string => `${d.publicUrl.replace(/\/$/, '')}/webhooks/${id}`;
  return {
    url,
    /** A webhook as the API shows it: the URL and the signature scheme, never a secret. */
    view: (w: WebhookView) => ({
      ...w, url: url(w.id),
      signature: {
        header: 'X-Vecron-Signature', timestamp_header: 'X-Vecron-Timestamp', delivery_header: 'X-Vecron-Delivery',
        scheme: 'v2=HMAC_SHA256(secret, timestamp + "." + delivery_id + "." + body)',
        legacy_scheme: d.config.webhooks.legacy_signatures ? 'sha256=HMAC_SHA256(secret, timestamp + "." + body)' : null,
      },
    }),
    /** A shell sample that signs and sends one call (v2 signature), for the secret's one showing. */
    callerSample(id: string, secret: string): string {
      return [
        `SECRET='${secret}'`,
        `BODY='{"hello":"world"}'`,
        'TS=$(date +%s); DELIVERY=$(uuidgen)',
        'SIG="v2=$(printf \'%s.%s.%s\' "$TS" "$DELIVERY" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d\' \' -f1)"',
        `curl -sS -X POST '${url(id)}' -H 'Content-Type: application/json' \\`,
        '  -H "X-Vecron-Timestamp: $TS" -H "X-Vecron-Delivery: $DELIVERY" -H "X-Vecron-Signature: $SIG" \\',
        '  --data "$BODY"',
      ].join('\n');
    },
    /** Creates an endpoint for an existing job; the secret is returned once. */
    async create(jobId: string, createdBy: string | null): Promise<{ webhook: WebhookView; secret: string }> {
      if (!(await d.cron.jobs.get(jobId))) throw notFound('job', jobId);
      return d.webhooks.create(jobId, createdBy, d.now());
    },
    /** A new secret; older ones stay valid for `graceSeconds` (default: the configured grace). */
    async rotate(id: string, graceSeconds?: number): Promise<{ webhook: WebhookView; secret: string }> {
      const r = await d.webhooks.rotate(id, graceSeconds ?? d.config.webhooks.rotation_grace_seconds, d.now());
      if (!r) throw notFound('webhook', id);
      return r;
    },
    async remove(id: string): Promise<void> {
      if (!(await d.webhooks.delete(id))) throw notFound('webhook', id);
    },
  };
}
