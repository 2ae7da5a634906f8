import { TransientError } from '@vecron/sdk';
import { createTransport } from 'nodemailer';
import type { Alert, Notifier } from './alerts.js';
import { renderAlertEmail } from './email-message.js';

/** Options of {@link emailNotifier} (the `[alerts.email]` section, resolved). */
export interface EmailNotifierOptions {
  /** SMTP host. */
  host: string;
  /** SMTP port. @default 587 */
  port: number;
  /** TLS from the first byte (SMTPS, usually port 465). @default false */
  secure: boolean;
  /**
   * STARTTLS when `secure` is false: `required` refuses to send without it, `opportunistic`
   * upgrades when the server offers it, `off` never upgrades. @default "required"
   */
  starttls: 'required' | 'opportunistic' | 'off';
  /** PEM CA certificate(s) trusted for the server's certificate, besides the system ones. @default undefined */
  ca?: string;
  /** AUTH user; empty = no authentication. @default "" */
  username: string;
  /** AUTH password. @default "" */
  password: string;
  /** Sender address. */
  from: string;
  /** Recipients. */
  to: string[];
  /** Whole send (connect, greeting, AUTH, DATA) must finish within this. @default 10000 */
  timeoutMs: number;
  /** URL (or path) of an execution, shown in the message. */
  executionLink: (executionId: string) => string;
  /** Applied to every alert before rendering (the server scrubs sensitive variable values here). */
  redact?: (alert: Alert) => Promise<Alert>;
}

/**
 * Built-in notifier: sends each alert as a plain-text e-mail over SMTP (nodemailer). Every send
 * has a deadline (`timeoutMs`, also used as nodemailer's connection, greeting and socket
 * timeouts) and stops on `signal`; a failure rejects, and the alert engine logs it.
 */
export function emailNotifier(o: EmailNotifierOptions): Notifier {
  const transport = createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure,
    requireTLS: !o.secure && o.starttls === 'required',
    ignoreTLS: !o.secure && o.starttls === 'off',
    ...(o.username ? { auth: { user: o.username, pass: o.password } } : {}),
    ...(o.ca ? { tls: { ca: o.ca } } : {}),
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    name: 'email',
    async notify(alert, signal) {
      const safe = o.redact ? await o.redact(alert) : alert;
      const { subject, text } = renderAlertEmail(safe, o.executionLink);
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]);
      if (deadline.aborted) throw new TransientError('alert e-mail not sent: aborted before sending', { code: 'ALERT_EMAIL_ABORTED' });
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          const timedOut = !signal.aborted;
          reject(timedOut ? new TransientError(`alert e-mail to ${o.host}:${o.port} timed out after ${o.timeoutMs} ms`, { code: 'ALERT_EMAIL_TIMEOUT' }) : new TransientError('alert e-mail aborted (shutting down)', { code: 'ALERT_EMAIL_ABORTED' }));
        };
        deadline.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([transport.sendMail({ from: o.from, to: o.to, subject, text }), aborted]);
      } finally {
        if (onAbort) deadline.removeEventListener('abort', onAbort);
      }
    },
  };
}
