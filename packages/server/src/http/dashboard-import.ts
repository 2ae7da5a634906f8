import type { DashboardImporter } from '@vecron/dashboard';
import type { CronSystem } from '@vecron/sdk';
import { convertText, SOURCE_FORMATS } from '../cli/convert.js';
import type { SourceFormat } from '../cli/convert.js';
import { importJobs, itemsOf } from '../transfer/transfer.js';

/**
 * The dashboard's job import: the same conversions as `vecron jobs import --from seed|quartz` and
 * the same per-item rules as `POST /api/jobs/import` (upsert or create by name, masked secrets
 * keep the stored values, a bad item does not stop the others).
 */
export function dashboardImporter(cron: CronSystem): DashboardImporter {
  return {
    formats: ['vecron', ...SOURCE_FORMATS],
    async import({ name, text, format }, { mode, dryRun }) {
      let definitions: unknown[];
      let changes: string[] = [];
      if (format === 'vecron') {
        try {
          definitions = itemsOf(JSON.parse(text));
        } catch (err) {
          return { items: [], changes: [], errors: [`${name}: $: not JSON: ${(err as Error).message}`] };
        }
      } else {
        const converted = convertText(name, text, format as SourceFormat);
        if (converted.errors.length) return { items: [], changes: converted.changes, errors: converted.errors };
        definitions = converted.definitions.map((d) => d.definition);
        changes = converted.changes;
      }
      const results = await importJobs(cron, definitions, { mode, dryRun });
      return {
        items: results.map((r) => ({ index: r.index, name: r.name, status: r.status, ...(r.job_id ? { jobId: r.job_id } : {}), ...(r.error ? { error: r.error } : {}) })),
        changes,
        errors: [],
      };
    },
  };
}
