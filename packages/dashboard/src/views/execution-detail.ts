import { TERMINAL_STATUSES } from '@vecron/sdk';
import type { Execution, Job, StepAttempt } from '@vecron/sdk';
import { prettyJson } from '../format.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { actionButton, shortId, sourceLabel, statusBadge, stepBadge } from './components.js';
import type { ViewContext } from './context.js';

/** What the execution page shows; `execution.context` and errors are already scrubbed of secrets. */
export interface ExecutionDetailData {
  execution: Execution;
  job: Job | null;
  steps: StepAttempt[];
}

/** A step's finish time (an ISO string in the context) in the page's zone; kept as it is when it is not a date. */
const finishedAt = (v: ViewContext, at: string | undefined): SafeHtml | string => {
  const d = at ? new Date(at) : null;
  return d && !Number.isNaN(d.getTime()) ? v.f.time(d) : (at ?? '');
};

/** The execution detail: summary, actions, step timeline, outputs, error (refreshed live). */
export function executionDetail(v: ViewContext, d: ExecutionDetailData): SafeHtml {
  const e = d.execution;
  const terminal = TERMINAL_STATUSES.has(e.status);
  const stepNames = new Map((d.job?.definition.steps ?? []).map((s) => [s.id, s.name ?? s.id]));
  const acts = v.readOnly
    ? ''
    : html`${!terminal && e.status !== 'cancelling' && v.can('execution:stop') ? actionButton(v, { path: `/executions/${e.id}/cancel`, label: v.t('execution.cancel'), kind: 'danger', confirm: v.t('execution.confirmCancel'), testId: 'cancel' }) : ''}
${terminal && v.can('execution:replay') ? html`${actionButton(v, { path: `/executions/${e.id}/replay`, label: v.t('execution.replay'), kind: 'primary', testId: 'replay', idempotent: true, confirm: v.t('execution.confirmReplay') })}${actionButton(v, { path: `/executions/${e.id}/replay`, label: v.t('execution.replayFromStart'), fields: { from_start: '1' }, testId: 'replay-from-start', idempotent: true, confirm: v.t('execution.confirmReplay') })}` : ''}`;

  const timeline = d.steps.length
    ? html`<ol class="timeline">${d.steps.map((s) => html`<li class="tl-${s.status}" data-step-id="${s.stepId}" data-attempt="${s.attempt}" data-status="${s.status}">
<div class="tl-head"><strong>${stepNames.get(s.stepId) ?? s.stepId}</strong> <code class="small">${s.stepId}</code> ${stepBadge(v, s.status)} <span class="muted small">${v.t('execution.stepAttempt')} ${s.attempt}</span></div>
<div class="small muted">${v.f.time(s.startedAt)} · ${v.f.duration(s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null)}${s.retryDelayMs !== null ? html` · ${v.t('execution.retryIn', { delay: v.f.duration(s.retryDelayMs) })}` : ''}</div>
${s.error ? html`<div class="err small"><code>${s.error.code}</code> ${s.error.message}</div>` : ''}
</li>`)}</ol>`
    : html`<p class="muted">${v.t('execution.timelineEmpty')}</p>`;

  const order = [...stepNames.keys(), ...Object.keys(e.context.steps ?? {}).filter((id) => !stepNames.has(id))];
  const outputs = order
    .filter((id) => e.context.steps?.[id])
    .map((id) => {
      const st = e.context.steps[id]!;
      return html`<details class="output" open data-step-id="${id}"><summary><strong>${stepNames.get(id) ?? id}</strong> ${stepBadge(v, st.status)} <span class="muted small">×${st.attempts} · ${finishedAt(v, st.finished_at)}</span></summary>
${st.output !== undefined ? html`<pre tabindex="0" class="code">${prettyJson(st.output)}</pre>` : ''}${st.error ? html`<div class="err small"><code>${st.error.code}</code> ${st.error.message}</div>` : ''}</details>`;
    });

  return html`<section id="execution" data-live="${v.url(`/fragments/executions/${e.id}`)}" data-live-on="execution" data-live-execution="${e.id}" data-status="${e.status}">
<div class="card">
<div class="row"><h1>${v.t('execution.title', { id: e.id.slice(0, 8) })}</h1>${statusBadge(v, e.status)}<div class="spacer"></div>${acts}</div>
<dl class="facts">
<dt>${v.t('executions.job')}</dt><dd>${d.job ? html`<a href="${v.url(`/jobs/${d.job.id}`)}">${d.job.name}</a>` : html`<code>${e.jobId}</code>`}</dd>
<dt>ID</dt><dd><code>${e.id}</code></dd>
<dt>${v.t('executions.source')}</dt><dd>${sourceLabel(v, e.triggerSource)}</dd>
<dt>${v.t('execution.attempt')}</dt><dd>${e.attempt}</dd>
<dt>${v.t('execution.scheduledFor')}</dt><dd>${v.f.time(e.scheduledFor)}</dd>
<dt>${v.t('executions.created')}</dt><dd>${v.f.time(e.createdAt)}</dd>
<dt>${v.t('execution.started')}</dt><dd>${v.f.time(e.startedAt)}</dd>
<dt>${v.t('execution.finished')}</dt><dd>${v.f.time(e.finishedAt)}</dd>
<dt>${v.t('executions.duration')}</dt><dd>${v.f.duration(e.startedAt && e.finishedAt ? e.finishedAt.getTime() - e.startedAt.getTime() : null)}</dd>
${e.replayOf ? html`<dt>${v.t('execution.replayOf')}</dt><dd><a href="${v.url(`/executions/${e.replayOf}`)}">${shortId(e.replayOf)}</a></dd>` : ''}
${e.currentStep && !terminal ? html`<dt>${v.t('executions.step')}</dt><dd><code>${e.currentStep}</code></dd>` : ''}
</dl>
${e.error ? html`<div class="error-box" role="alert"><strong>${v.t('execution.error')}:</strong> <code>${e.error.code}</code> ${e.error.message}${e.error.details ? html`<pre tabindex="0" class="code small">${prettyJson(e.error.details)}</pre>` : ''}</div>` : ''}
</div>
<div class="cols">
<section class="card"><h2>${v.t('execution.timeline')}</h2>${timeline}</section>
<section class="card"><h2>${v.t('execution.outputs')}</h2>${outputs.length ? outputs : html`<p class="muted">${v.t('execution.outputsEmpty')}</p>`}
${e.context.payload !== undefined ? html`<h3>${v.t('execution.payload')}</h3><pre tabindex="0" class="code">${prettyJson(e.context.payload)}</pre>` : ''}</section>
</div>
</section>`;
}
