import { ValidationError, VecronError } from '@vecron/sdk';
import type { CronSystem, Job } from '@vecron/sdk';
import { maskSecrets, restoreSecrets } from './secret-fields.js';

/** Result of importing one item. */
export interface ImportResult {
  index: number;
  name: string | null;
  status: 'created' | 'updated' | 'valid' | 'error';
  job_id?: string;
  error?: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

/** The export format: `{ format: 'vecron.jobs', version: 1, exported_at, jobs: [definition…] }`. */
export interface ExportDocument {
  format: 'vecron.jobs';
  version: 1;
  exported_at: string;
  jobs: unknown[];
}

/** Accepts a single definition, an array, or an export document. */
export function itemsOf(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (input && typeof input === 'object' && Array.isArray((input as { jobs?: unknown }).jobs)) return (input as { jobs: unknown[] }).jobs;
  return [input];
}

/** Exports jobs (all when `ids` is omitted) with literal secrets masked. */
export async function exportDocument(cron: CronSystem, ids?: string[]): Promise<ExportDocument> {
  let jobs: Job[];
  if (ids) jobs = (await Promise.all(ids.map((id) => cron.jobs.get(id).catch(() => null)))).filter((j): j is Job => j !== null);
  else {
    jobs = [];
    for (let offset = 0; ; offset += 500) {
      const page = await cron.jobs.list({ limit: 500, offset });
      jobs.push(...page);
      if (page.length < 500) break;
    }
  }
  return { format: 'vecron.jobs', version: 1, exported_at: new Date().toISOString(), jobs: jobs.map((j) => maskSecrets(j.definition)) };
}

/**
 * Imports definitions one by one (upsert by name, or create only). Each item gets its own result:
 * a bad item does not stop the others. Masked secrets take the stored job's value.
 */
export async function importJobs(cron: CronSystem, items: unknown[], opts: { mode: 'upsert' | 'create'; dryRun: boolean }): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const [index, raw] of items.entries()) {
    const name = raw && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : null;
    try {
      const existing = name ? await cron.jobs.getByName(name) : null;
      if (existing && opts.mode === 'create') throw new VecronError('CONFLICT', `a job named ${name} already exists`);
      const { value, issues } = restoreSecrets(raw, existing?.definition);
      if (issues.length) throw new ValidationError('job definition', issues);
      if (opts.dryRun) {
        // Exactly the checks the import would make (step types and configs of the registered
        // executors, the name free or this job's), without saving.
        const checked = await cron.jobs.validate(value, existing ? { jobId: existing.id } : {});
        if (!checked.valid) throw new ValidationError('job definition', checked.issues);
        results.push({ index, name, status: 'valid' });
        continue;
      }
      const job = existing ? await cron.jobs.updateFromJson(existing.id, value) : await cron.jobs.createFromJson(value);
      results.push({ index, name, status: existing ? 'updated' : 'created', job_id: job.id });
    } catch (err) {
      if (!(err instanceof VecronError)) throw err;
      results.push({
        index, name, status: 'error',
        error: { code: err.code, message: err.message.split('\n')[0]!, ...(err instanceof ValidationError ? { issues: err.issues } : {}) },
      });
    }
  }
  return results;
}
