import type { DashboardImportReport } from '../importer.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { ViewContext } from './context.js';
import { ASSET_VERSION } from './layout.js';

/** What the import form was last sent with (kept when the page answers). */
export interface ImportForm {
  format: string;
  mode: 'upsert' | 'create';
  dryRun: boolean;
  fileName: string;
  text: string;
}

/** The import page: a file (read into the text box by the page's script, or pasted), its format, mode and dry run. */
export function importPage(v: ViewContext, formats: readonly string[], form: ImportForm, report: DashboardImportReport | null): SafeHtml {
  const option = (value: string, label: string, chosen: boolean): SafeHtml => html`<option value="${value}"${chosen ? html` selected` : ''}>${label}</option>`;
  return html`<script src="${v.url('/assets/import.js', { v: ASSET_VERSION })}" defer></script>
<div class="page-head"><h1>${v.t('import.title')}</h1></div>
<section class="card"><p class="muted">${v.t('import.intro')}</p>
<form id="job-import" method="post" action="${v.url('/editor/import')}">
<input type="hidden" name="_csrf" value="${v.csrfToken}">
<div class="field"><label for="import-file">${v.t('import.file')}</label><input type="file" id="import-file" accept=".json,.xml,application/json,text/xml" data-testid="import-file"><p class="hint">${v.t('import.fileHint')}</p></div>
<input type="hidden" name="file_name" id="import-file-name" value="${form.fileName}">
<div class="field"><label for="import-text">${v.t('import.text')}</label><textarea id="import-text" name="text" class="code" rows="12" spellcheck="false" data-testid="import-text">${form.text}</textarea></div>
<div class="row">
<div class="field"><label for="import-format">${v.t('import.format')}</label><select id="import-format" name="format" data-testid="import-format">${formats.map((f) => option(f, v.t(formatKey(f)), f === form.format))}</select></div>
<div class="field"><label for="import-mode">${v.t('import.mode')}</label><select id="import-mode" name="mode">${option('upsert', v.t('import.modeUpsert'), form.mode === 'upsert')}${option('create', v.t('import.modeCreate'), form.mode === 'create')}</select></div>
<div class="field field-check"><input type="checkbox" id="import-dry-run" name="dry_run" value="on"${form.dryRun ? html` checked` : ''} data-testid="import-dry-run"><label for="import-dry-run">${v.t('import.dryRun')}</label></div>
</div>
<button type="submit" class="btn btn-primary" data-testid="import-submit">${v.t('import.submit')}</button>
</form></section>
${report ? importReport(v, report, form.dryRun) : ''}`;
}

type FormatKey = 'import.formatVecron' | 'import.formatSeed' | 'import.formatQuartz' | 'import.formatOther';
const formatKey = (f: string): FormatKey => (f === 'vecron' ? 'import.formatVecron' : f === 'seed' ? 'import.formatSeed' : f === 'quartz' ? 'import.formatQuartz' : 'import.formatOther');

/** The per-item results of an import, with the conversion's changes and the file's problems. */
export function importReport(v: ViewContext, r: DashboardImportReport, dryRun: boolean): SafeHtml {
  const count = (s: string): number => r.items.filter((i) => i.status === s).length;
  const summary = dryRun
    ? v.t('import.summaryDry', { valid: count('valid'), failed: count('error') })
    : v.t('import.summary', { created: count('created'), updated: count('updated'), failed: count('error') });
  const status = (s: DashboardImportReport['items'][number]['status']): SafeHtml =>
    html`<span class="badge ${s === 'error' ? 'dead_letter' : 'success'}">${v.t(`import.status.${s}`)}</span>`;
  return html`<section class="card" id="import-report" aria-live="polite"><h2>${v.t('import.results')}</h2>
<p data-testid="import-summary">${summary}</p>
${r.errors.length ? html`<ul class="issues" data-testid="import-errors">${r.errors.map((e) => html`<li class="issue-error">${e}</li>`)}</ul>` : ''}
${r.items.length ? html`<table class="grid" data-testid="import-items"><thead><tr><th>#</th><th>${v.t('import.name')}</th><th>${v.t('import.outcome')}</th><th>${v.t('import.detail')}</th></tr></thead><tbody>
${r.items.map((i) => html`<tr data-index="${i.index}" data-status="${i.status}"><td>${i.index + 1}</td><td>${i.jobId ? html`<a href="${v.url(`/jobs/${i.jobId}`)}">${i.name ?? '—'}</a>` : (i.name ?? '—')}</td><td>${status(i.status)}</td>
<td class="small">${i.error ? html`<code>${i.error.code}</code> ${i.error.message}${i.error.issues?.length ? html`<ul class="issues">${i.error.issues.map((x) => html`<li><code>${x.path}</code> ${x.message}</li>`)}</ul>` : ''}` : ''}</td></tr>`)}
</tbody></table>` : ''}
${r.changes.length ? html`<details><summary>${v.t('import.changes', { n: r.changes.length })}</summary><ul class="small">${r.changes.map((c) => html`<li>${c}</li>`)}</ul></details>` : ''}
</section>`;
}
