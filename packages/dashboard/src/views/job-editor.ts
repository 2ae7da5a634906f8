import { randomUUID } from 'node:crypto';
import type { Job, ValidationIssue } from '@vecron/sdk';
import type { FiresPreview } from '../editor-model.js';
import type { EditorModel } from '../editor-model.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { renderSchemaForm } from '../schema-form.js';
import { reasonText } from './components.js';
import type { ViewContext } from './context.js';
import { ASSET_VERSION } from './layout.js';

/** Which of the two synchronised views the user edits. */
export type EditorView = 'form' | 'json';

/** What the editor shows: the document, which view, problems and the fires preview. */
export interface EditorState {
  /** The definition being edited (parsed), or the JSON text when it does not parse. */
  value: unknown;
  /** The JSON view's text (kept as typed when it does not parse). */
  jsonText: string;
  view: EditorView;
  issues: ValidationIssue[];
  warnings: ValidationIssue[];
  preview: FiresPreview | null;
}

/** The editor's mode: a new job, an edit, or a clone of `source`. */
export type EditorMode = { kind: 'new' } | { kind: 'edit'; job: Job } | { kind: 'clone'; source: Job };

/** The form builder and the JSON editor (one shown), with the view switch. */
export function editorViews(v: ViewContext, model: EditorModel, s: EditorState): SafeHtml {
  const tab = (view: EditorView, label: string): SafeHtml =>
    html`<button type="button" class="btn btn-plain" hx-post="${v.url('/editor/sync')}" hx-vals="${JSON.stringify({ switch: view })}" aria-pressed="${String(s.view === view)}" data-testid="view-${view}">${label}</button>`;
  const form = s.view === 'form'
    ? renderSchemaForm(model.jobSchema, s.value, {
        syncUrl: v.url('/editor/sync'), schemaAt: model.schemaAt, structural: model.structural,
        labels: { add: v.t('editor.add'), remove: v.t('editor.remove'), none: v.t('editor.none'), required: v.t('editor.required'), listHint: v.t('editor.listHint'), jsonHint: v.t('editor.jsonHint') },
      })
    : '';
  return html`<div id="editor-views">
<input type="hidden" name="view" value="${s.view}">
<div class="tabs" role="group" aria-label="${v.t('editor.views')}">${tab('form', v.t('editor.viewForm'))}${tab('json', v.t('editor.viewJson'))}</div>
<div id="editor-form" class="schema-form"${s.view === 'form' ? '' : html` hidden`}>${form}</div>
<div class="field" id="editor-json-wrap"${s.view === 'json' ? '' : html` hidden`}><label for="editor-json">${v.t('editor.viewJson')}</label>${jsonArea(s.jsonText)}</div>
</div>`;
}

/** The JSON editor's text area (replaced alone while the form view is edited). */
export function jsonArea(text: string, oob = false): SafeHtml {
  return html`<textarea id="editor-json" name="json" class="code" rows="24" spellcheck="false"${oob ? html` hx-swap-oob="true"` : ''}>${text}</textarea>`;
}

/** Validation problems, each with the JSON path of its field (the page's script puts them at the fields). */
export function issuesPanel(v: ViewContext, s: Pick<EditorState, 'issues' | 'warnings'>, oob = false): SafeHtml {
  const item = (i: ValidationIssue, kind: 'error' | 'warning'): SafeHtml =>
    html`<li class="issue-${kind}" data-path="${i.path}" data-kind="${kind}"><code>${i.path}</code> ${i.message}</li>`;
  const body = s.issues.length
    ? html`<p class="err" data-testid="editor-invalid">${v.t('editor.invalid', { n: s.issues.length })}</p><ul class="issues">${s.issues.map((i) => item(i, 'error'))}</ul>`
    : html`<p class="ok-text" data-testid="editor-valid">${v.t('editor.valid')}</p>`;
  return html`<section id="editor-issues" class="card" aria-live="polite"${oob ? html` hx-swap-oob="true"` : ''}><h2>${v.t('editor.validation')}</h2>${body}
${s.warnings.length ? html`<ul class="issues">${s.warnings.map((i) => item(i, 'warning'))}</ul>` : ''}</section>`;
}

/** The next fires of the schedule as typed (calendar shifts and skips shown). */
export function previewPanel(v: ViewContext, preview: FiresPreview | null, hasSchedule: boolean, oob = false): SafeHtml {
  const body = preview
    ? html`<p class="muted small">${v.t('job.timezone')}: ${preview.timezone}</p>
<table class="grid" data-testid="editor-preview"><thead><tr><th>${v.t('job.explainNominal')}</th><th>${v.t('job.explainOutcome')}</th><th>${v.t('job.explainRuns')}</th><th>${v.t('job.explainReason')}</th></tr></thead><tbody>
${preview.entries.map((e) => html`<tr class="o-${e.outcome}"><td>${v.f.time(e.nominal)}</td><td><span class="pill o-${e.outcome}">${v.t(`outcome.${e.outcome}`)}</span></td><td>${e.runsAt ? v.f.time(e.runsAt) : '—'}</td><td class="small">${reasonText(v, e.reason)}</td></tr>`)}
</tbody></table>${preview.entries.length ? '' : html`<p class="muted">${v.t('editor.noFires')}</p>`}`
    : html`<p class="muted" data-testid="editor-no-preview">${hasSchedule ? v.t('editor.fixSchedule') : v.t('schedule.none')}</p>`;
  return html`<section id="editor-explain" class="card" aria-live="polite"${oob ? html` hx-swap-oob="true"` : ''}><h2>${v.t('editor.preview')}</h2>${body}</section>`;
}

/** The whole editor page body. */
export function editorPage(v: ViewContext, model: EditorModel, mode: EditorMode, s: EditorState): SafeHtml {
  const title = mode.kind === 'edit' ? v.t('editor.editTitle', { name: mode.job.name }) : mode.kind === 'clone' ? v.t('editor.cloneTitle', { name: mode.source.name }) : v.t('editor.newTitle');
  const cancel = mode.kind === 'edit' ? v.url(`/jobs/${mode.job.id}`) : mode.kind === 'clone' ? v.url(`/jobs/${mode.source.id}`) : v.url('/');
  const hasSchedule = !!(s.value && typeof s.value === 'object' && (s.value as { schedule?: unknown }).schedule);
  return html`<script src="${v.url('/assets/editor.js', { v: ASSET_VERSION })}" defer></script>
<div class="page-head"><h1>${title}</h1></div>
<form id="job-editor" class="editor" method="post" action="${v.url('/editor/save')}" hx-post="${v.url('/editor/sync')}" hx-trigger="input delay:500ms, change" hx-swap="none" hx-sync="this:replace" novalidate>
<input type="hidden" name="_csrf" value="${v.csrfToken}">
${mode.kind === 'edit' ? html`<input type="hidden" name="job_id" value="${mode.job.id}">` : ''}${mode.kind === 'clone' ? html`<input type="hidden" name="from" value="${mode.source.id}">` : ''}
<div class="editor-cols">
<div class="card editor-main">${editorViews(v, model, s)}</div>
<div class="editor-side">${issuesPanel(v, s)}${previewPanel(v, s.preview, hasSchedule)}</div>
</div>
<div class="row"><button type="submit" class="btn btn-primary" data-testid="save">${v.t('editor.save')}</button><a class="btn btn-plain" href="${cancel}">${v.t('editor.cancel')}</a></div>
</form>`;
}

/** Edit, clone and delete links of a job page (for users who may change jobs). */
export function jobEditLinks(v: ViewContext, job: Job): SafeHtml {
  if (v.readOnly) return html``;
  return html`${v.can('job:write') ? html`<a class="btn btn-plain" href="${v.url(`/editor/${job.id}`)}" data-testid="edit-job">${v.t('editor.edit')}</a><a class="btn btn-plain" href="${v.url('/editor/new', { from: job.id })}" data-testid="clone-job">${v.t('editor.clone')}</a>` : ''}${v.can('job:delete') ? html`<a class="btn btn-danger" href="${v.url(`/editor/${job.id}/delete`)}" data-testid="delete-job">${v.t('editor.delete')}</a>` : ''}`;
}

/** "Run with parameters": a JSON payload, confirmation, one execution per key however often it is sent. */
export function runWithPayload(v: ViewContext, job: Job): SafeHtml {
  if (v.readOnly || !v.can('job:execute') || !job.definition.triggers.manual) return html``;
  const action = v.url(`/jobs/${job.id}/run`);
  return html`<details class="card run-payload"><summary>${v.t('editor.runWithPayload')}</summary>
<form method="post" action="${action}" hx-post="${action}" hx-target="#flash" hx-swap="innerHTML" hx-disabled-elt="find button" hx-confirm="${v.t('jobs.confirmRun')}">
<input type="hidden" name="_csrf" value="${v.csrfToken}">${runKeyInput(false)}
<div class="field"><label for="run-payload">${v.t('editor.payload')}</label><textarea id="run-payload" name="payload" class="code" rows="5" spellcheck="false" placeholder="{&quot;date&quot;: &quot;2026-12-07&quot;}"></textarea><p class="hint">${v.t('editor.payloadHint')}</p></div>
<button type="submit" class="btn btn-primary" data-testid="run-payload">${v.t('jobs.runNow')}</button></form></details>`;
}

/** The payload form's idempotency key; sent again out of band after each run, so the next run is a new one. */
export function runKeyInput(oob: boolean): SafeHtml {
  return html`<input type="hidden" id="run-key" name="idempotency_key" value="${randomUUID()}"${oob ? html` hx-swap-oob="true"` : ''}>`;
}

/** The confirmation page of a delete. */
export function deleteConfirm(v: ViewContext, job: Job): SafeHtml {
  return html`<div class="page-head"><h1>${v.t('editor.deleteTitle', { name: job.name })}</h1></div>
<section class="card"><p>${v.t('editor.deleteWarning')}</p>
<form method="post" action="${v.url(`/editor/${job.id}/delete`)}" class="row"><input type="hidden" name="_csrf" value="${v.csrfToken}"><input type="hidden" name="confirm" value="${job.name}">
<button type="submit" class="btn btn-danger" data-testid="confirm-delete">${v.t('editor.deleteConfirm')}</button><a class="btn btn-plain" href="${v.url(`/jobs/${job.id}`)}">${v.t('editor.cancel')}</a></form></section>`;
}
