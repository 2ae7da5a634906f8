/** What a template can see while one step's config is rendered. */

/** The request that triggered a webhook execution. */
export interface TemplateWebhook {
  /** Parsed JSON body. `{{webhook.payload.<path>}}` */
  readonly payload: unknown;
  /** Request headers; looked up case-insensitively. `{{webhook.headers.<name>}}` */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Query string parameters. `{{webhook.query_params.<name>}}` */
  readonly query_params: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/**
 * Everything `renderTemplate` substitutes from. Built by the worker for each step; values are
 * shared with the result, not copied, so treat both as read-only.
 */
export interface TemplateScope {
  /** `${NAME}` values, already merged job-over-global (sensitive ones decrypted). */
  readonly variables: Readonly<Record<string, string>>;
  /** Outputs of the steps that ran before, by step id. `{{steps.<id>.output.<path>}}`; `{{steps.<id>.finished_at}}` (alias `completed_at`) when `finished_at` is given. */
  readonly steps: Readonly<Record<string, { readonly output: unknown; readonly finished_at?: string | undefined }>>;
  /** The trigger's payload (`cron.trigger(job, { payload })`; a webhook's body). `{{payload.<path>}}` */
  readonly payload?: unknown;
  /** Present only for webhook-triggered executions. */
  readonly webhook?: TemplateWebhook | null | undefined;
  /** `{{job_id}}` */
  readonly job_id: string;
  /** `{{execution_id}}` */
  readonly execution_id: string;
  /** When the execution started: ISO-8601 string or epoch milliseconds. `{{execution_date}}` renders it as UTC ISO-8601. */
  readonly execution_date: string | number;
  /** The fire time a scheduled run was due at (ISO-8601 or epoch ms); `null` for manual and webhook runs. */
  readonly scheduled_for: string | number | null;
  /** IANA zone for the `date` filter (the job's timezone). @default 'Asia/Ho_Chi_Minh' */
  readonly timezone?: string | undefined;
}
