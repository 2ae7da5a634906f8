import type { Request, Response, Router } from 'express';
import { ConflictError, NotFoundError, ValidationError } from '@vecron/sdk';
import type { Job, ValidationIssue } from '@vecron/sdk';
import { restoreMaskedSecrets } from '@vecron/sdk/crypto';
import type { DashboardData } from '../data.js';
import { previewFires } from '../editor-model.js';
import type { EditorModel } from '../editor-model.js';
import { maskDefinitionSecrets } from '../format.js';
import { html } from '../html.js';
import type { Kit } from '../kit.js';
import { str, UUID } from '../kit.js';
import { readSchemaForm } from '../schema-form.js';
import { deleteConfirm, editorPage, editorViews, issuesPanel, jsonArea, previewPanel } from '../views/job-editor.js';
import type { EditorMode, EditorState, EditorView } from '../views/job-editor.js';

const pretty = (value: unknown): string => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** What a submitted editor form holds, read from the view the user edited. */
interface Submitted {
  value: unknown;
  jsonText: string;
  view: EditorView;
  issues: ValidationIssue[];
  /** The form must be drawn again: a union choice, a list length or a step type changed. */
  reshaped: boolean;
}

/** Reads the editor form: the JSON text in the JSON view, the generated controls in the form view. */
export function readEditor(model: EditorModel, body: Record<string, unknown>): Submitted {
  if (body.view === 'json') {
    const jsonText = typeof body.json === 'string' ? body.json : '';
    try {
      return { value: JSON.parse(jsonText) as unknown, jsonText, view: 'json', issues: [], reshaped: false };
    } catch (err) {
      return { value: undefined, jsonText, view: 'json', issues: [{ path: '$', message: `is not valid JSON: ${(err as Error).message}` }], reshaped: false };
    }
  }
  const r = readSchemaForm(model.jobSchema, body, model);
  return { value: r.value, jsonText: pretty(r.value), view: 'form', issues: r.issues, reshaped: r.shape !== body.shape };
}

/** What the editor's routes share. */
interface EditorContext {
  kit: Kit;
  data: DashboardData;
  model: EditorModel;
}

/** The job a submitted form edits (`job_id`) or clones (`from`). */
type BaseJobs = { edit: Job | null; source: Job | null };

/**
 * The job editor: new, edit, clone (`/editor/new?from=<id>`), delete with a confirmation page.
 * `POST /editor/sync` keeps the form builder and the JSON editor in step, validates as `jobs.create`
 * would and previews the next fires; `POST /editor/save` saves through `jobs.createFromJson` /
 * `jobs.updateFromJson` (masked secrets keep their stored values) and is audited.
 */
export function editorRoutes(router: Router, kit: Kit, data: DashboardData, model: EditorModel): void {
  const { cron, state, need, mutating } = kit;
  const ctx: EditorContext = { kit, data, model };

  router.get('/editor/new', async (req, res) => {
    need(res, 'job:write');
    const from = str(req.query.from);
    if (from && UUID.test(from)) {
      const source = await cron.jobs.get(from);
      if (!source) throw new NotFoundError('job', from);
      await openEditor(ctx, req, res, { kind: 'clone', source }, { ...maskDefinitionSecrets(source.definition), name: `${source.name}-copy` });
      return;
    }
    await openEditor(ctx, req, res, { kind: 'new' }, { name: '', schedule: null, steps: (model.applyOp({ steps: [] }, 'add:$.steps') as { steps: unknown[] }).steps });
  });

  router.get('/editor/:id', async (req, res) => {
    need(res, 'job:write');
    const job = await data.mustGetJob(req);
    await openEditor(ctx, req, res, { kind: 'edit', job }, maskDefinitionSecrets(job.definition));
  });

  router.post('/editor/sync', mutating('job:write'), (req, res) => syncEditor(ctx, req, res));
  router.post('/editor/save', mutating('job:write'), (req, res) => saveJob(ctx, req, res));

  router.get('/editor/:id/delete', async (req, res) => {
    need(res, 'job:delete');
    const job = await data.mustGetJob(req);
    const v = state(res).view;
    await kit.page(req, res, { title: v.t('editor.deleteTitle', { name: job.name }), section: 'jobs', body: deleteConfirm(v, job) });
  });

  router.post('/editor/:id/delete', mutating('job:delete'), (req, res) => deleteJob(ctx, req, res));
}

async function baseJobOf({ kit }: EditorContext, body: Record<string, unknown>): Promise<BaseJobs> {
  const load = async (id: unknown): Promise<Job | null> => {
    if (typeof id !== 'string' || !UUID.test(id)) return null;
    const job = await kit.cron.jobs.get(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  };
  return { edit: await load(body.job_id), source: await load(body.from) };
}

/** Validation as a save would do it: masked secrets restored first, then the engine's checks. */
async function check({ kit }: EditorContext, s: Submitted, base: BaseJobs): Promise<{ value: unknown; issues: ValidationIssue[]; warnings: ValidationIssue[] }> {
  if (s.value === undefined) return { value: undefined, issues: s.issues, warnings: [] };
  const existing = base.edit ?? base.source;
  const restored = restoreMaskedSecrets(s.value, existing?.definition);
  const r = await kit.cron.jobs.validate(restored.value, base.edit ? { jobId: base.edit.id } : {});
  const seen = new Set<string>();
  const issues = [...s.issues, ...restored.issues, ...r.issues].filter((i) => !seen.has(`${i.path}\u0000${i.message}`) && seen.add(`${i.path}\u0000${i.message}`));
  return { value: restored.value, issues, warnings: r.warnings };
}

async function stateOf(ctx: EditorContext, s: Submitted, base: BaseJobs): Promise<EditorState & { restored: unknown }> {
  const c = await check(ctx, s, base);
  const preview = s.value === undefined ? null : await previewFires(ctx.kit.cron, s.value, ctx.kit.timeZone, new Date()).catch(() => null);
  return { value: s.value, jsonText: s.jsonText, view: s.view, issues: c.issues, warnings: c.warnings, preview, restored: c.value };
}

async function showPage({ kit, model }: EditorContext, req: Request, res: Response, mode: EditorMode, s: EditorState, status = 200): Promise<void> {
  const v = kit.state(res).view;
  const title = mode.kind === 'edit' ? v.t('editor.editTitle', { name: mode.job.name }) : v.t('editor.newTitle');
  await kit.page(req, res, { title, section: 'jobs', body: editorPage(v, model, mode, s), status });
}

async function openEditor(ctx: EditorContext, req: Request, res: Response, mode: EditorMode, value: unknown): Promise<void> {
  const s: Submitted = { value, jsonText: pretty(value), view: 'form', issues: [], reshaped: false };
  const base = { edit: mode.kind === 'edit' ? mode.job : null, source: mode.kind === 'clone' ? mode.source : null };
  const st = await stateOf(ctx, s, base);
  // A new, empty job is not yet "wrong": its problems show once the user starts typing.
  await showPage(ctx, req, res, mode, mode.kind === 'new' ? { ...st, issues: [] } : st);
}

/** `POST /editor/sync`: applies a form operation or a view switch, answers the parts of the page that changed. */
async function syncEditor(ctx: EditorContext, req: Request, res: Response): Promise<void> {
  const { kit, model } = ctx;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const v = kit.state(res).view;
  let s = readEditor(model, body);
  let redraw = s.reshaped;
  if (typeof body.op === 'string' && s.view === 'form') {
    s = { ...s, value: model.applyOp(s.value, body.op) };
    s.jsonText = pretty(s.value);
    redraw = true;
  }
  const wanted = body.switch === 'json' || body.switch === 'form' ? body.switch : s.view;
  // A JSON text that does not parse stays in the JSON view (there is nothing to draw a form from).
  const target: EditorView = wanted === 'form' && s.value === undefined ? 'json' : wanted;
  if (target !== s.view) redraw = true;
  const st = await stateOf(ctx, { ...s, view: target }, await baseJobOf(ctx, body));
  const hasSchedule = !!(s.value && typeof s.value === 'object' && (s.value as { schedule?: unknown }).schedule);
  const views = redraw ? html`<div hx-swap-oob="outerHTML:#editor-views">${editorViews(v, model, st)}</div>` : s.view === 'form' ? jsonArea(st.jsonText, true) : '';
  await kit.send(req, res, html`${views}${issuesPanel(v, st, true)}${previewPanel(v, st.preview, hasSchedule, true)}`);
}

/** `POST /editor/save`: creates or updates the job (the page again with its issues when it cannot), audited. */
async function saveJob(ctx: EditorContext, req: Request, res: Response): Promise<void> {
  const { kit, model } = ctx;
  const { cron, audit } = kit;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const base = await baseJobOf(ctx, body);
  const s = readEditor(model, body);
  const st = await stateOf(ctx, s, base);
  const mode: EditorMode = base.edit ? { kind: 'edit', job: base.edit } : base.source ? { kind: 'clone', source: base.source } : { kind: 'new' };
  if (st.issues.length) {
    await showPage(ctx, req, res, mode, st, 422);
    return;
  }
  let job: Job;
  try {
    job = base.edit ? await cron.jobs.updateFromJson(base.edit.id, st.restored) : await cron.jobs.createFromJson(st.restored);
  } catch (err) {
    if (!(err instanceof ValidationError) && !(err instanceof ConflictError)) throw err;
    const issues = err instanceof ValidationError ? err.issues : [{ path: '$.name', message: err.message }];
    await audit(req, res, { action: base.edit ? 'job.update' : 'job.create', resource: base.edit ? `job:${base.edit.id}` : null, result: err.code, details: {} });
    await showPage(ctx, req, res, mode, { ...st, issues }, 422);
    return;
  }
  await audit(req, res, {
    action: base.edit ? 'job.update' : 'job.create', resource: `job:${job.id}`, result: 'ok',
    details: { name: job.name, ...(base.source ? { cloned_from: base.source.id } : {}) },
  });
  kit.live.publish({ type: 'job.updated', jobId: job.id });
  res.redirect(303, kit.state(res).view.url(`/jobs/${job.id}`));
}

/** `POST /editor/:id/delete`: deletes the job when the confirmation names it, audited. */
async function deleteJob({ kit, data }: EditorContext, req: Request, res: Response): Promise<void> {
  const job = await data.mustGetJob(req);
  // The confirmation page sends the job's name: a stray POST without it deletes nothing.
  if ((req.body as Record<string, unknown> | undefined)?.confirm !== job.name) throw new ValidationError('delete', [{ path: '$.confirm', message: 'must be the name of the job (confirm on the delete page)' }]);
  const deleted = await kit.cron.jobs.delete(job.id);
  await kit.audit(req, res, { action: 'job.delete', resource: `job:${job.id}`, result: deleted ? 'ok' : 'NOT_FOUND', details: { name: job.name } });
  if (!deleted) throw new NotFoundError('job', job.id);
  kit.live.publish({ type: 'job.updated', jobId: job.id });
  res.redirect(303, kit.state(res).view.url('/'));
}
