import { overlapPolicyOf } from '@vecron/sdk';
import type { Explanation, Job, LedgerEntry, VariableView } from '@vecron/sdk';
import { maskDefinitionSecrets, prettyJson, scheduleInWords } from '../format.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { actionButton, reasonText, shortId } from './components.js';
import type { ViewContext } from './context.js';
import { jobEditLinks } from './job-editor.js';

/** Everything the job page shows besides its executions table. */
export interface JobDetailData {
  job: Job;
  explanation: Explanation | null;
  ledger: LedgerEntry[];
  /** Null when the viewer may not read variables. */
  variables: VariableView[] | null;
}

/** The job header with state and actions (refreshed live). */
export function jobHeader(v: ViewContext, job: Job): SafeHtml {
  const sched = scheduleInWords(job.definition.schedule, v.defaultTimeZone, v.f);
  const acts = v.readOnly
    ? ''
    : html`${v.can('job:execute') && job.definition.triggers.manual ? actionButton(v, { path: `/jobs/${job.id}/run`, label: v.t('jobs.runNow'), kind: 'primary', testId: 'run-now', idempotent: true, confirm: v.t('jobs.confirmRun') }) : ''}
${v.can('job:write') ? (job.enabled ? actionButton(v, { path: `/jobs/${job.id}/disable`, label: v.t('jobs.disable'), testId: 'disable' }) : actionButton(v, { path: `/jobs/${job.id}/enable`, label: v.t('jobs.enable'), testId: 'enable' })) : ''}
${jobEditLinks(v, job)}`;
  return html`<section id="job-header" class="card" data-live="${v.url(`/fragments/jobs/${job.id}/header`)}" data-live-on="job" data-live-job="${job.id}">
<div class="row"><h1>${job.name}</h1><span class="pill ${job.enabled ? 'pill-on' : 'pill-off'}" data-testid="enabled">${job.enabled ? v.t('jobs.on') : v.t('jobs.off')}</span><div class="spacer"></div>${acts}</div>
${job.definition.description ? html`<p>${job.definition.description}</p>` : ''}
<p><strong>${v.t('jobs.schedule')}:</strong> ${sched.words}${sched.code ? html` <code>${sched.code}</code>` : ''}${sched.dialect ? html` <span class="pill" data-testid="cron-dialect">${v.t('schedule.dialect', { dialect: sched.dialect })}</span>` : ''}</p>
</section>`;
}

/** Explain output, fire ledger, definition and variables. */
export function jobDetailBody(v: ViewContext, d: JobDetailData): SafeHtml {
  const ex = d.explanation;
  const def = d.job.definition;
  const catchup = def.catchup ? v.t(`catchup.${def.catchup.policy}`) : v.t(`misfire.${def.misfire_policy}`);
  const policies = v.t('job.policies', { overlap: v.t(`overlap.${overlapPolicyOf(def)}`), catchup });
  // A disabled job has no upcoming fires: saying when it "would" run misleads.
  const explain = !d.job.enabled
    ? html`<p class="muted" data-testid="disabled-no-fires">${v.t('job.disabledNoFires')}</p><p class="muted small">${policies}</p>`
    : ex
    ? html`<p class="muted">${v.t('job.timezone')}: ${ex.timezone} · ${policies}</p>
<table class="grid"><thead><tr><th>${v.t('job.explainNominal')}</th><th>${v.t('job.explainOutcome')}</th><th>${v.t('job.explainRuns')}</th><th>${v.t('job.explainReason')}</th></tr></thead><tbody>
${ex.entries.map((e) => html`<tr class="o-${e.outcome}"><td>${v.f.time(e.nominal)}</td><td><span class="pill o-${e.outcome}">${v.t(`outcome.${e.outcome}`)}</span></td><td>${e.runsAt ? v.f.time(e.runsAt) : '—'}</td><td class="small">${reasonText(v, e.reason)}</td></tr>`)}
</tbody></table>
<details><summary>${v.t('job.explainText')}</summary><pre tabindex="0" class="code">${ex.text}</pre></details>`
    : html`<p class="muted">—</p>`;
  const variables = d.variables === null
    ? ''
    : html`<section class="card"><h2>${v.t('job.variables')}</h2>${d.variables.length
      ? html`<table class="grid"><thead><tr><th>${v.t('job.variableName')}</th><th>${v.t('job.variableScope')}</th><th>${v.t('job.variableValue')}</th></tr></thead><tbody>
${d.variables.map((x) => html`<tr><td><code>${x.name}</code></td><td>${x.jobId ? v.t('job.scopeJob') : v.t('job.scopeGlobal')}</td><td>${x.sensitive ? html`<span class="masked" title="${v.t('job.sensitive')}">${x.value}</span> <span class="muted small">${v.t('job.sensitive')}</span>` : html`<code>${x.value}</code>`}</td></tr>`)}
</tbody></table>`
      : html`<p class="muted">${v.t('job.variablesEmpty')}</p>`}</section>`;
  return html`<div class="cols">
<section class="card"><h2>${v.t('job.explain')}</h2>${explain}</section>
${ledgerCard(v, d.job.id, d.ledger)}
</div>
<section class="card"><h2>${v.t('job.definition')}</h2><pre tabindex="0" class="code">${prettyJson(maskDefinitionSecrets(d.job.definition))}</pre></section>
${variables}`;
}


/** The fire ledger card: fired, skipped and missed instants with reasons (refreshed live). */
export function ledgerCard(v: ViewContext, jobId: string, entries: LedgerEntry[]): SafeHtml {
  const ledger = entries.length
    ? html`<table class="grid"><thead><tr><th>${v.t('job.ledgerFireAt')}</th><th>${v.t('job.ledgerOutcome')}</th><th>${v.t('job.ledgerReason')}</th><th>${v.t('job.ledgerExecution')}</th></tr></thead><tbody>
${entries.map((l) => html`<tr class="o-${l.outcome}"><td>${v.f.time(l.fireAt)}</td><td><span class="pill o-${l.outcome}">${v.t(`outcome.${l.outcome}`)}</span></td><td class="small">${reasonText(v, l.reason)}</td><td>${l.executionId ? html`<a href="${v.url(`/executions/${l.executionId}`)}">${shortId(l.executionId)}</a>` : ''}</td></tr>`)}
</tbody></table>`
    : html`<p class="muted">${v.t('job.ledgerEmpty')}</p>`;
  return html`<section class="card" id="ledger" data-live="${v.url(`/fragments/jobs/${jobId}/ledger`)}" data-live-on="schedule,execution" data-live-job="${jobId}"><h2>${v.t('job.ledger')}</h2>${ledger}</section>`;
}
