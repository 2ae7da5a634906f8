import type { CronSystem, SqlClient, Storage } from '@vecron/sdk';
import type { SecretBox } from '@vecron/sdk/crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { TokenService } from '../auth/tokens.js';
import type { ServerConfig } from '../config/config-schema.js';
import type { ServerStore } from '../store/server-store.js';
import type { WebhookStore } from '../webhooks/webhook-store.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TraceContextCarrier } from '../observability/tracing.js';
import type { ProcessRegistry } from '../cluster/registry.js';

/** Everything the API routes use. */
export interface ApiDeps {
  config: ServerConfig;
  cron: CronSystem;
  /** The core's data through the storage port (dead letters, counts, variables' ciphertext). */
  storage: Storage;
  /** The server's own tables only (users, roles, webhooks, audit log, cluster registry). */
  sql: SqlClient;
  store: ServerStore;
  audit: AuditLog;
  tokens: TokenService;
  limiter: RateLimiter;
  box: SecretBox;
  webhooks: WebhookStore;
  logger: Logger;
  /** Base URL that webhook URLs are shown with. */
  publicUrl: string;
  /** Current trace context to carry into an execution's trigger metadata. */
  traceContext: TraceContextCarrier;
  /** This process in the cluster registry. */
  cluster: ProcessRegistry;
  now(): Date;
}
