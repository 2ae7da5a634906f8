/** Calendars that ship with vecron, and a registry that resolves `extends` against them. */
import { ConflictError } from '../errors/errors.js';
import { parseCalendarDefinition } from './calendar-schema.js';
import type { CalendarDefinition, CalendarDefinitionInput } from './calendar-schema.js';
import { createBusinessCalendar } from './calendar.js';
import type { BusinessCalendar } from './calendar.js';
import { NotFoundError } from '../errors/errors.js';

/**
 * `vn`: Vietnamese public holidays of the Labour Code with compensatory days, plus the
 * government's swapped days and make-up Saturdays; Saturday and Sunday off. Covers 2007–2100.
 */
export const VN_CALENDAR: CalendarDefinitionInput = {
  name: 'vn',
  description:
    'Vietnam: Labour Code public holidays (Tết Dương lịch, Tết Nguyên Đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh) with nghỉ bù, government swaps, Saturday and Sunday off.',
  timezone: 'Asia/Ho_Chi_Minh',
  excluded_weekdays: [0, 6],
  rules: ['vn-public-holidays', 'vn-government-swaps'],
};

/** The built-in calendar definitions, by name. */
export const BUILT_IN_CALENDARS: Readonly<Record<string, CalendarDefinitionInput>> = { vn: VN_CALENDAR };

/** Named calendars: the built-ins plus the ones defined by the host. */
export interface CalendarRegistry {
  /** The calendar named `name`. @throws NotFoundError */
  get(name: string): BusinessCalendar;
  /** Whether a calendar of that name exists. */
  has(name: string): boolean;
  /** All names, built-ins first. */
  names(): string[];
  /**
   * Validates and adds (or replaces) a calendar. Its `extends` must name a known calendar.
   * @throws ValidationError, ConfigError, ConflictError (a built-in name)
   */
  define(definition: unknown): BusinessCalendar;
  /** The stored definition (validated), for `extends` lookups and persistence. */
  definition(name: string): CalendarDefinition | undefined;
}

/** Options of {@link createCalendarRegistry}. */
export interface CalendarRegistryOptions {
  /** Calendars to define at once, in any order (parents are resolved by name). @default [] */
  calendars?: unknown[];
}

/**
 * A registry of named business calendars, pre-loaded with {@link BUILT_IN_CALENDARS}.
 *
 * @example
 * const calendars = createCalendarRegistry({ calendars: [{ name: 'acb', extends: 'vn', excluded_dates: ['2026-06-30'] }] });
 * calendars.get('acb').nthBusinessDayOfMonth(2026, 1, -1) // '2026-01-30'
 */
export function createCalendarRegistry(options: CalendarRegistryOptions = {}): CalendarRegistry {
  const defs = new Map<string, CalendarDefinition>();
  for (const def of Object.values(BUILT_IN_CALENDARS)) {
    const parsed = parseCalendarDefinition(def);
    defs.set(parsed.name, parsed);
  }
  const built = new Map<string, BusinessCalendar>();
  const lookup = (name: string): unknown => defs.get(name);

  const registry: CalendarRegistry = {
    get(name) {
      let cal = built.get(name);
      if (cal) return cal;
      const def = defs.get(name);
      if (!def) throw new NotFoundError('calendar', name);
      cal = createBusinessCalendar(def, { lookup });
      built.set(name, cal);
      return cal;
    },
    has: (name) => defs.has(name),
    names: () => [...defs.keys()],
    definition: (name) => defs.get(name),
    define(definition) {
      const def = parseCalendarDefinition(definition);
      if (def.name in BUILT_IN_CALENDARS) throw new ConflictError(`"${def.name}" is a built-in calendar; extend it instead`);
      const cal = createBusinessCalendar(def, { lookup });
      defs.set(def.name, def);
      // Calendars that extend this one must be rebuilt.
      built.clear();
      built.set(def.name, cal);
      return cal;
    },
  };

  const pending = (options.calendars ?? []).map((c) => parseCalendarDefinition(c));
  for (const def of pending) {
    if (def.name in BUILT_IN_CALENDARS) throw new ConflictError(`"${def.name}" is a built-in calendar; extend it instead`);
    defs.set(def.name, def);
  }
  for (const def of pending) registry.get(def.name); // resolve now so a bad `extends` fails at start
  return registry;
}
