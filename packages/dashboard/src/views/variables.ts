import type { VariableView } from '@vecron/sdk';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { actionButton } from './components.js';
import type { ViewContext } from './context.js';
import { checkField, liveRegion, postForm, textField } from './forms.js';

/** The job a variable belongs to, named (null: global). */
export interface VariableRow extends VariableView {
  jobName: string | null;
}

/** The variables table: name, scope, value (sensitive ones masked by the SDK), delete where allowed. */
export function variablesTable(v: ViewContext, rows: readonly VariableRow[], regionUrl: string): SafeHtml {
  const canWrite = v.can('variable:write') && !v.readOnly;
  const body = rows.length
    ? html`<div class="table-wrap"><table class="grid" data-testid="variables">
<thead><tr><th scope="col">${v.t('variables.name')}</th><th scope="col">${v.t('variables.scope')}</th><th scope="col">${v.t('variables.value')}</th><th scope="col">${v.t('variables.updated')}</th>${canWrite ? html`<th scope="col">${v.t('jobs.actions')}</th>` : ''}</tr></thead>
<tbody>${rows.map((r) => html`<tr data-variable="${r.name}" data-scope="${r.jobId ?? 'global'}">
<td><code>${r.name}</code>${r.sensitive ? html` <span class="pill pill-off">${v.t('variables.sensitive')}</span>` : ''}</td>
<td>${r.jobId ? html`<a href="${v.url(`/jobs/${r.jobId}`)}">${r.jobName ?? r.jobId.slice(0, 8)}</a>` : v.t('variables.global')}</td>
<td>${r.sensitive ? html`<span class="masked">${r.value}</span>` : html`<code>${r.value}</code>`}</td>
<td class="nowrap">${v.f.dateTime(r.updatedAt)}</td>
${canWrite ? html`<td>${!r.sensitive || v.can('variable:encrypt')
    ? actionButton(v, { path: '/variables/delete', label: v.t('variables.delete'), kind: 'danger', confirm: v.t('variables.confirmDelete', { name: r.name }), fields: { name: r.name, job_id: r.jobId ?? '' }, testId: `delete-variable-${r.name}` })
    : ''}</td>` : ''}
</tr>`)}</tbody></table></div>`
    : html`<p class="empty">${v.t('variables.empty')}</p>`;
  return liveRegion('variables-region', regionUrl, body);
}

/** The create/replace form; the sensitive box only for holders of `variable:encrypt`. */
export function variableForm(v: ViewContext, job: { id: string; name: string } | null): SafeHtml {
  if (!v.can('variable:write') || v.readOnly) return html``;
  return html`<section class="card"><h2>${v.t('variables.setTitle')}</h2>
${postForm(v, {
    path: '/variables', submit: v.t('variables.save'), testId: 'variable-form',
    body: html`${textField(v.t('variables.name'), { name: 'name', required: true, maxLength: 100, pattern: '[A-Za-z_][A-Za-z0-9_]*', autocomplete: 'off' })}
<label>${v.t('variables.value')}<textarea name="value" rows="2"></textarea></label>
<label>${v.t('variables.scope')}<select name="job_id"><option value="">${v.t('variables.global')}</option>${job ? html`<option value="${job.id}" selected>${job.name}</option>` : ''}</select></label>
${v.can('variable:encrypt') ? checkField(v.t('variables.sensitiveBox'), { name: 'sensitive' }) : html`<p class="muted small">${v.t('variables.noEncrypt')}</p>`}`,
  })}</section>`;
}
