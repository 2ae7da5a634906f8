/**
 * The filters a reference may pass through: `{{ execution_date | date:'yyyyMMdd':'-1d' }}`.
 * Every filter is checked when the template is compiled (name, number and kind of arguments),
 * so a typo fails at save time, not at 2 a.m.
 */
import type { FilterCall } from './ast.js';
import { compileDateFormat, compileDateOffset, InvalidDateSpec } from './date-format.js';

/** Names of the filters a template may use. */
export const TEMPLATE_FILTERS = ['date', 'default', 'json', 'url_encode'] as const;

/** One of {@link TEMPLATE_FILTERS}. */
export type TemplateFilterName = (typeof TEMPLATE_FILTERS)[number];

const ARITY: Record<TemplateFilterName, readonly [min: number, max: number]> = {
  date: [1, 2],
  default: [1, 1],
  json: [0, 0],
  url_encode: [0, 0],
};

/** True when `name` is a known filter. */
export function isTemplateFilter(name: string): name is TemplateFilterName {
  return Object.hasOwn(ARITY, name);
}

/**
 * Checks a filter call; returns an error message, or `undefined` when it is valid.
 * The caller has already checked that the name is known.
 */
export function checkFilterCall(call: FilterCall & { name: TemplateFilterName }): string | undefined {
  const [min, max] = ARITY[call.name];
  if (call.args.length < min || call.args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    return `filter "${call.name}" takes ${want} argument${max === 1 ? '' : 's'}, got ${call.args.length}`;
  }
  if (call.name === 'date') {
    const [format, offset] = call.args;
    if (format?.type !== 'literal' || typeof format.value !== 'string') {
      return `filter "date" needs a quoted format as its first argument, e.g. date:'yyyyMMdd'`;
    }
    if (offset !== undefined && (offset.type !== 'literal' || typeof offset.value !== 'string')) {
      return `filter "date" takes a quoted offset as its second argument, e.g. date:'yyyyMMdd':'-1d'`;
    }
    try {
      compileDateFormat(format.value);
      if (offset) compileDateOffset(offset.value as string);
    } catch (err) {
      if (err instanceof InvalidDateSpec) return err.message;
      throw err;
    }
  }
  return undefined;
}
