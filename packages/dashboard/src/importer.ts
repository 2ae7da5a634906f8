/**
 * The job import the dashboard offers when its host provides one (the reference server does: the
 * same import as `POST /api/jobs/import` and `vecron jobs import --from seed|quartz`). The host owns
 * the conversions and the per-item rules, so the page and the API never disagree.
 */

/** One imported item's outcome. */
export interface DashboardImportItem {
  /** Position of the item among the file's definitions (0-based). */
  index: number;
  name: string | null;
  /** `valid`: a dry run found nothing wrong. */
  status: 'created' | 'updated' | 'valid' | 'error';
  jobId?: string;
  error?: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

/** What an import of one file did. */
export interface DashboardImportReport {
  items: DashboardImportItem[];
  /** What a conversion changed, one line each (`$.path: what changed`). */
  changes: string[];
  /** Problems of the file as a whole (not JSON, a part that cannot be converted), naming the path. */
  errors: string[];
}

/** A host's job import. */
export interface DashboardImporter {
  /**
   * The formats it reads; the first is the default. `vecron` (an export document, a definition or a
   * list of them) should be one of them; the reference server adds `seed` and `quartz`.
   */
  readonly formats: readonly string[];
  /** Imports (or with `dryRun`, only checks) the definitions of one file's text. */
  import(file: { name: string; text: string; format: string }, options: { mode: 'upsert' | 'create'; dryRun: boolean }): Promise<DashboardImportReport>;
}
