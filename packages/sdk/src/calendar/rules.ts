/** The registry of built-in calendar rules, by name. */
import type { CalendarRule } from './rule.js';
import { vnGovernmentSwapsRule, vnPublicHolidaysRule } from './vn/vn-holidays.js';

/** Names accepted in a calendar definition's `rules`. */
export const CALENDAR_RULE_NAMES = ['vn-public-holidays', 'vn-government-swaps'] as const;

/** A built-in rule name. */
export type CalendarRuleName = (typeof CALENDAR_RULE_NAMES)[number];

/** The built-in rules, by name. */
export const BUILT_IN_RULES: Readonly<Record<CalendarRuleName, CalendarRule>> = {
  'vn-public-holidays': vnPublicHolidaysRule,
  'vn-government-swaps': vnGovernmentSwapsRule,
};
