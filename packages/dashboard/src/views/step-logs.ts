import type { ExecutionFile, StoredStepLogLine } from '@vecron/sdk';
import { prettyJson } from '../format.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { ViewContext } from './context.js';

/** What the logs panel of the execution page shows; lines and fields already scrubbed of secrets. */
export interface StepLogsData {
  executionId: string;
  lines: StoredStepLogLine[];
  /** More lines are stored than `lines` holds (the API pages them all). */
  more: boolean;
  files: Array<Pick<ExecutionFile, 'name' | 'stepId' | 'size'>>;
  stepNames: Map<string, string>;
}

const bytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** One attempt's lines as a table: time, level, message, fields. */
function attemptTable(v: ViewContext, lines: StoredStepLogLine[]): SafeHtml {
  return html`<div class="table-wrap" tabindex="0"><table class="grid logs"><thead><tr><th scope="col">${v.t('logs.time')}</th><th scope="col">${v.t('logs.level')}</th><th scope="col">${v.t('logs.message')}</th><th scope="col">${v.t('logs.fields')}</th></tr></thead>
<tbody>${lines.map((l) => html`<tr class="log-${l.level}" data-level="${l.level}" data-seq="${l.seq}"><td class="small nowrap">${v.f.time(l.at)}</td><td><span class="badge log-level-${l.level}">${l.level}</span></td><td><code class="log-msg">${l.message}</code></td><td>${l.fields ? html`<pre class="code small">${prettyJson(l.fields)}</pre>` : ''}</td></tr>`)}</tbody></table></div>`;
}

/**
 * The execution page's step logs (grouped per step attempt, refreshed live as lines are stored)
 * and the files the steps recorded, each a download link.
 */
export function stepLogsPanel(v: ViewContext, d: StepLogsData): SafeHtml {
  const groups = new Map<string, StoredStepLogLine[]>();
  for (const l of d.lines) {
    const key = `${l.stepId}\u0000${l.attempt}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  const attempts = [...groups.values()].map((lines) => {
    const first = lines[0]!;
    const worst = lines.some((l) => l.level === 'error' || l.level === 'fatal');
    return html`<details class="log-attempt" open data-step-id="${first.stepId}" data-attempt="${first.attempt}"><summary><strong>${d.stepNames.get(first.stepId) ?? first.stepId}</strong> <code class="small">${first.stepId}</code> <span class="muted small">${v.t('execution.stepAttempt')} ${first.attempt} · ${v.t('logs.lines', { n: lines.length })}</span>${worst ? html` <span class="badge log-level-error">${v.t('logs.hasErrors')}</span>` : ''}</summary>
${attemptTable(v, lines)}</details>`;
  });
  const files = d.files.length
    ? html`<h3>${v.t('logs.files')}</h3><ul class="files">${d.files.map((f) => html`<li><a href="${v.url(`/executions/${d.executionId}/files/${encodeURIComponent(f.name)}`)}" download data-file="${f.name}">${f.name}</a> <span class="muted small">${bytes(f.size)} · <code>${f.stepId}</code></span></li>`)}</ul>`
    : '';
  return html`<section id="step-logs" class="card" aria-labelledby="step-logs-title" data-live="${v.url(`/fragments/executions/${d.executionId}/logs`)}" data-live-on="log,execution" data-live-execution="${d.executionId}">
<h2 id="step-logs-title">${v.t('logs.title')}</h2>
${attempts.length ? attempts : html`<p class="muted">${v.t('logs.empty')}</p>`}
${d.more ? html`<p class="muted small">${v.t('logs.more', { n: d.lines.length })}</p>` : ''}
${files}
</section>`;
}
