/**
 * `@vecron/server` — the vecron reference server: REST API under `/api` (jobs, executions, DLQ,
 * variables, webhooks, users, roles, audit, import/export, JSON Schema, OpenAPI), JWT auth with
 * RBAC and a hash-chained audit log, HMAC webhooks, Server-Sent Events, health, Prometheus metrics,
 * OpenTelemetry spans and alerts; the CLI `vecron all|api|scheduler|worker|migrate|jobs|audit`.
 *
 * @example
 * ```ts
 * import { loadConfig, startServer } from '@vecron/server';
 *
 * const config = loadConfig({ env: process.env });          // default.toml → local.toml → VECRON__*
 * const server = await startServer({ config, role: 'all' });  // embedded PGlite when no database_url
 * console.log(server.apiUrl);
 * process.on('SIGTERM', () => void server.stop());
 * ```
 *
 * Exports: `startServer`, `loadConfig`, `serverConfigSchema`, `PERMISSIONS`, `SEED_ROLES`,
 * `createAuditLog` (keyed chain: `deriveAuditKey`, `auditKeysOf`, `auditMac`, checkpoints:
 * `parseAuditCheckpoint`), `signWebhook`, `signWebhookV2`, `verifyWebhookSignature`, `webhookNotifier`, `buildOpenApi`
 * and their types.
 *
 * @packageDocumentation
 */
export { startServer } from './runtime/start-server.js';
export type { StartServerOptions, RunningServer, Role } from './runtime/start-server.js';
export type { ProcessRegistry, ClusterProcess } from './cluster/registry.js';
export type { Drift, Fingerprint } from './cluster/fingerprint.js';
export { createLogCorrelation, createServerLogger } from './observability/log-correlation.js';
export type { LogCorrelation, SpanLookup, TraceIds } from './observability/log-correlation.js';
export { loadConfig, envLayer } from './config/load-config.js';
export type { LoadConfigOptions } from './config/load-config.js';
export { serverConfigSchema } from './config/config-schema.js';
export type { ServerConfig, ServerConfigOverrides } from './config/config-schema.js';
export { PERMISSIONS, SEED_ROLES } from './auth/permissions.js';
export type { Permission, RouteAccess, SeedRole } from './auth/permissions.js';
export { createAuditLog, auditHash, auditMac, auditKeysOf, deriveAuditKey, parseAuditCheckpoint, canonicalJson } from './audit/audit-log.js';
export type { AuditLog, AuditLogOptions, AuditKey, AuditCheckpoint, AuditEntry, AuditRecord, AuditVerification } from './audit/audit-log.js';
export { signWebhook, signWebhookV2, verifyWebhookSignature } from './webhooks/signature.js';
export type { WebhookSignatureOptions } from './webhooks/signature.js';
export { webhookNotifier } from './alerts/alerts.js';
export { emailNotifier } from './alerts/email-notifier.js';
export type { EmailNotifierOptions } from './alerts/email-notifier.js';
export { renderAlertEmail } from './alerts/email-message.js';
export type { AlertEmail } from './alerts/email-message.js';
export type { Alert, Notifier, AlertOptions } from './alerts/alerts.js';
export { buildOpenApi } from './openapi/openapi.js';
export { ROUTE_META } from './http/route.js';
export type { RouteDef } from './http/route.js';
