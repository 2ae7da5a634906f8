import type { Alert } from './alerts.js';

/** Subject and plain-text body of an alert e-mail. */
export interface AlertEmail {
  subject: string;
  text: string;
}

const KIND_TITLE: Record<Alert['kind'], string> = {
  dead_letter: 'execution moved to the dead-letter queue',
  consecutive_failures: 'job failing repeatedly',
  missed_fire: 'missed fire',
};

/** Header-safe single line (no CR/LF, bounded length). */
const oneLine = (s: string, max = 200): string => {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/**
 * Renders an alert as an English e-mail: job name and id, execution id, status, error code and
 * message, and a link to the execution. Only fields of the alert are used (the alert is already
 * scrubbed of sensitive variable values by the caller); nothing else is read.
 *
 * @param executionLink - Turns an execution id into the URL (or path) shown in the message.
 */
export function renderAlertEmail(alert: Alert, executionLink: (executionId: string) => string): AlertEmail {
  const d = alert.details ?? {};
  const status = str(d.status);
  const errorCode = str(d.error) ?? str(d.last_error);
  const errorMessage = str(d.error_message);
  const subject = `[vecron] ${KIND_TITLE[alert.kind]}: ${oneLine(alert.job_name, 120)}`;
  const lines = [
    `vecron alert: ${KIND_TITLE[alert.kind]}`,
    '',
    alert.message,
    '',
    `Job:          ${alert.job_name}`,
    `Job id:       ${alert.job_id}`,
  ];
  if (alert.execution_id) lines.push(`Execution id: ${alert.execution_id}`);
  if (status) lines.push(`Status:       ${status}`);
  if (d.count !== undefined) lines.push(`Failures:     ${String(d.count)} in a row`);
  if (errorCode) lines.push(`Error code:   ${errorCode}`);
  if (errorMessage) lines.push(`Error:        ${oneLine(errorMessage, 2_000)}`);
  if (str(d.fire_at)) lines.push(`Fire time:    ${String(d.fire_at)}`);
  if (str(d.reason)) lines.push(`Reason:       ${String(d.reason)}`);
  lines.push(`Alert time:   ${alert.at}`);
  if (alert.execution_id) lines.push('', `Open the execution: ${executionLink(alert.execution_id)}`);
  lines.push('', '-- ', 'Sent by the vecron alert notifier. Sensitive variable values are never included.');
  return { subject, text: `${lines.join('\n')}\n` };
}
