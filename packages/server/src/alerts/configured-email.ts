import { readFileSync } from 'node:fs';
import { ConfigError } from '@vecron/sdk';
import type { ServerConfig } from '../config/config-schema.js';
import type { Alert, Notifier } from './alerts.js';
import { emailNotifier } from './email-notifier.js';

/**
 * The e-mail notifier built from `[alerts.email]` (call only when `enabled`). Reads `ca_file`
 * once; an unreadable file is a ConfigError naming the key.
 */
export function configuredEmailNotifier(
  config: ServerConfig,
  o: { executionLink: (executionId: string) => string; redact?: (alert: Alert) => Promise<Alert> },
): Notifier {
  const e = config.alerts.email;
  let ca: string | undefined;
  if (e.ca_file) {
    try {
      ca = readFileSync(e.ca_file, 'utf8');
    } catch (err) {
      throw new ConfigError('server configuration', [{ path: '$.alerts.email.ca_file', message: `cannot be read: ${(err as Error).message}` }]);
    }
  }
  return emailNotifier({
    host: e.host,
    port: e.port,
    secure: e.secure,
    starttls: e.starttls,
    ...(ca ? { ca } : {}),
    username: e.username,
    password: e.password,
    from: e.from,
    to: e.to,
    timeoutMs: e.timeout_seconds * 1000,
    executionLink: o.executionLink,
    ...(o.redact ? { redact: o.redact } : {}),
  });
}
