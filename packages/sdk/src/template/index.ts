/**
 * `@vecron/sdk/template` — templates of job configs: `${NAME}` variables and `{{ … }}` references, rendered just before a
 * step runs. Pure data substitution — nothing is ever evaluated as code.
 *
 * @example
 * ```ts
 * import { renderTemplate } from '@vecron/sdk/template';
 *
 * const config = renderTemplate(
 *   {
 *     url: '${API_URL}/orders?since={{ webhook.payload.since | default:execution_date | url_encode }}',
 *     rows: '{{steps.fetch-orders.output.rows}}',                      // keeps its array type
 *     file: 'GL_{{ execution_date | date:\'yyyyMMdd\':\'-1d\' }}.csv', // yesterday, in scope.timezone
 *   },
 *   scope,
 *   { basePath: '$.steps[1].config' },
 * );
 * ```
 *
 * Syntax:
 * - `${NAME}` — a variable (`[A-Za-z_][A-Za-z0-9_]*`); `$${` is a literal `${`. A `${` with an
 *   invalid name (`${API-URL}`) or no `}` is an error, not literal text.
 * - `{{ path }}` — `steps.<id>.output.<path>` (`response` = `output`), `webhook.payload.<path>`,
 *   `webhook.headers.<name>` (case-insensitive), `webhook.query_params.<name>`, `job_id`,
 *   `execution_id`, `execution_date`, `scheduled_for` (UTC ISO-8601 strings; `scheduled_for` is
 *   `null` for manual and webhook runs). Paths use `.field`, `[0]` and `["any key"]`; step ids and
 *   dotted fields may contain `-`. `__proto__`, `constructor` and `prototype` are never read.
 *   `{{ '{{' }}` is a literal `{{`; `{{` always opens a reference — in a run of `{` the last two
 *   do (`{"id":{{x}}}` works) and dollars right before it are literal (`${{amount}}` is `$` + amount).
 *   A `}}` outside a reference is plain text. String literals use JSON escapes (`\n`, `\u00e9`).
 * - Filters, left to right: `| date:'<format>'[:'<offset>']` (tokens `yyyy yy MM M dd d HH H mm m
 *   ss s SSS`, other characters literal; offset terms `±N` + `y M w d h m s` applied to the local
 *   wall clock, e.g. `'-1d'`, `'-1M'`), `| default:<value>` (when the value is null — or missing,
 *   if it directly follows the path), `| json`, `| url_encode`.
 *
 * Typing: a string that is exactly one `${NAME}` or one `{{ … }}` becomes the value with its JSON
 * type; inside a longer string values are printed (objects/arrays as JSON, `null` as `null`).
 * Referenced values are returned as they are (not copied; `-0` stays `-0` until serialised).
 *
 * Exports: {@link renderTemplate}, {@link findTemplateReferences}, {@link validateStepReferences},
 * {@link toText}, {@link TEMPLATE_FILTERS}, the date patterns of the `date` filter (shared with
 * `@vecron/executor-file`): {@link compileDatePattern}, {@link formatDatePattern},
 * {@link parseDatePattern}, {@link datePatternTokens}, {@link DatePatternError}, and the types
 * {@link DatePattern}, {@link DateToken}, {@link DateFields}, {@link DatePatternOptions},
 * {@link TemplateScope}, {@link TemplateWebhook}, {@link RenderTemplateOptions},
 * {@link TemplateReference}, {@link TemplateScanOptions}, {@link TemplateFilterName}.
 *
 * @packageDocumentation
 */
export { renderTemplate, toText } from './render.js';
export type { RenderTemplateOptions } from './render.js';
export { findTemplateReferences, validateStepReferences } from './references.js';
export type { TemplateReference, TemplateScanOptions } from './references.js';
export type { TemplateScope, TemplateWebhook } from './scope.js';
export { TEMPLATE_FILTERS } from './filters.js';
export type { TemplateFilterName } from './filters.js';
export { compileDatePattern, formatDatePattern, parseDatePattern, datePatternTokens, DatePatternError } from '../time/date-pattern.js';
export type { DatePattern, DateToken, DateFields, DatePatternOptions } from '../time/date-pattern.js';
