import type { Router } from 'express';
import { ValidationError } from '@vecron/sdk';
import type { DashboardImporter } from '../importer.js';
import type { Kit } from '../kit.js';
import { str } from '../kit.js';
import { importPage } from '../views/job-import.js';
import type { ImportForm } from '../views/job-import.js';

/** Largest file text the import form accepts (the form is sent URL-encoded; its body parser is in session.ts). */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * `/editor/import`: import job definitions from a file through the host's importer (the same rules
 * as its API), a dry run to check first, and the outcome of every item. Audited as `job.import`.
 */
export function importRoutes(router: Router, kit: Kit, importer: DashboardImporter): void {
  const { state, need, mutating, audit } = kit;
  const fresh = (): ImportForm => ({ format: importer.formats[0] ?? 'vecron', mode: 'upsert', dryRun: true, fileName: '', text: '' });

  router.get('/editor/import', async (req, res) => {
    need(res, 'job:import');
    const v = state(res).view;
    await kit.page(req, res, { title: v.t('import.title'), section: 'jobs', body: importPage(v, importer.formats, fresh(), null) });
  });

  router.post('/editor/import', mutating('job:import'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const v = state(res).view;
    const format = str(body.format) ?? '';
    const form: ImportForm = {
      format, mode: body.mode === 'create' ? 'create' : 'upsert', dryRun: body.dry_run === 'on',
      fileName: (str(body.file_name) ?? 'pasted').slice(0, 200), text: typeof body.text === 'string' ? body.text : '',
    };
    if (!importer.formats.includes(format)) throw new ValidationError('import', [{ path: '$.format', message: `must be one of ${importer.formats.join(', ')}` }]);
    if (!form.text.trim()) throw new ValidationError('import', [{ path: '$.text', message: 'choose a file or paste its content' }]);
    const report = await importer.import({ name: form.fileName, text: form.text, format }, { mode: form.mode, dryRun: form.dryRun });
    if (!form.dryRun) {
      const n = (s: string): number => report.items.filter((i) => i.status === s).length;
      await audit(req, res, {
        action: 'job.import', resource: null, result: report.errors.length || n('error') ? 'PARTIAL' : 'ok',
        details: { file: form.fileName, format, mode: form.mode, created: n('created'), updated: n('updated'), failed: n('error') + report.errors.length },
      });
      for (const i of report.items) if (i.jobId) kit.live.publish({ type: 'job.updated', jobId: i.jobId });
    }
    await kit.page(req, res, { title: v.t('import.title'), section: 'jobs', body: importPage(v, importer.formats, form, report), status: 200 });
  });
}
