/**
 * fast-check generators of random Quartz cron expressions (every field, `L`/`W`/`#`, names, lower
 * case, year ranges), the zones they are evaluated in and random instants; shared by the property
 * tests of the cron evaluator and of the memoised next-fire computation.
 */
import fc from 'fast-check';

/** Zones with and without DST, half-hour and 45-minute offsets, southern hemisphere. */
export const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Ho_Chi_Minh', 'UTC', 'America/Santiago', 'Asia/Kolkata'];
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const S = 1000;

// ---------------------------------------------------------------- expression specs
export type Item =
  | { t: 'val'; a: number }
  | { t: 'range'; a: number; b: number }
  | { t: 'step'; a: number | null; b: number | null; n: number };
/** An empty list means `*`. */
export type NumField = Item[];
export type DomItem = Item | { t: 'L'; off: number } | { t: 'W'; day: number } | { t: 'LW'; off: number };
export type Dow = { t: 'plain'; items: Item[] } | { t: 'last'; w: number } | { t: 'nth'; w: number; k: number };
export interface Spec {
  sec: NumField; min: NumField; hour: NumField; month: NumField;
  dom: DomItem[] | null; // null = '?'
  dow: Dow | null; // null = '?'
  year: { a: number; b: number } | null;
  names: boolean; lower: boolean;
}

export function itemArb(min: number, max: number, maxStep: number): fc.Arbitrary<Item> {
  const v = fc.integer({ min, max });
  return fc.oneof(
    v.map((a): Item => ({ t: 'val', a })),
    fc.tuple(v, v).map(([a, b]): Item => ({ t: 'range', a, b })),
    fc.tuple(fc.option(v, { nil: null }), fc.integer({ min: 1, max: maxStep })).map(([a, n]): Item => ({ t: 'step', a, b: null, n })),
    fc.tuple(v, v, fc.integer({ min: 1, max: maxStep })).map(([a, b, n]): Item => ({ t: 'step', a, b, n })),
  );
}
export function fieldArb(min: number, max: number, maxStep: number, starWeight: number): fc.Arbitrary<NumField> {
  return fc.oneof(
    { weight: starWeight, arbitrary: fc.constant<NumField>([]) },
    { weight: 3, arbitrary: fc.array(itemArb(min, max, maxStep), { minLength: 1, maxLength: 3 }) },
  );
}
export const domItemArb: fc.Arbitrary<DomItem> = fc.oneof(
  itemArb(1, 31, 10),
  fc.integer({ min: 0, max: 30 }).map((off): DomItem => ({ t: 'L', off: off < 20 ? 0 : off - 20 })),
  fc.integer({ min: 1, max: 31 }).map((day): DomItem => ({ t: 'W', day })),
  fc.integer({ min: 0, max: 30 }).map((off): DomItem => ({ t: 'LW', off: off < 20 ? 0 : off - 20 })),
);
export const dowArb: fc.Arbitrary<Dow> = fc.oneof(
  { weight: 5, arbitrary: fc.array(itemArb(1, 7, 7), { minLength: 0, maxLength: 3 }).map((items): Dow => ({ t: 'plain', items })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }).map((w): Dow => ({ t: 'last', w })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([w, k]): Dow => ({ t: 'nth', w, k })) },
);
export const specArb: fc.Arbitrary<Spec> = fc.record({
  sec: fieldArb(0, 59, 30, 2),
  min: fieldArb(0, 59, 30, 2),
  hour: fieldArb(0, 23, 12, 4),
  month: fieldArb(1, 12, 6, 8),
  days: fc.oneof(
    fc.oneof({ weight: 3, arbitrary: fc.constant([] as DomItem[]) }, { weight: 2, arbitrary: fc.array(domItemArb, { minLength: 1, maxLength: 3 }) })
      .map((dom) => ({ dom, dow: null as Dow | null })),
    dowArb.map((dow) => ({ dom: null as DomItem[] | null, dow })),
  ),
  year: fc.option(fc.tuple(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 0, max: 40 })).map(([a, k]) => ({ a, b: a + k })), { freq: 8 }),
  names: fc.boolean(),
  lower: fc.boolean(),
}).map(({ days, ...rest }) => ({ ...rest, dom: days.dom, dow: days.dow }));

// ---------------------------------------------------------------- rendering
export function renderItem(it: Item, name: (v: number) => string): string {
  switch (it.t) {
    case 'val': return name(it.a);
    case 'range': return `${name(it.a)}-${name(it.b)}`;
    case 'step': return `${it.a === null ? '*' : it.b === null ? name(it.a) : `${name(it.a)}-${name(it.b)}`}/${it.n}`;
  }
}
export function renderField(f: NumField, name: (v: number) => string = String): string {
  return f.length === 0 ? '*' : f.map((i) => renderItem(i, name)).join(',');
}
export function render(spec: Spec): string {
  const month = (v: number): string => (spec.names ? (MONTH_NAMES[v - 1] ?? '') : String(v));
  const day = (v: number): string => (spec.names ? (DAY_NAMES[v - 1] ?? '') : String(v));
  const dom = spec.dom === null ? '?' : spec.dom.length === 0 ? '*' : spec.dom.map((i) => {
    if (i.t === 'L') return i.off === 0 ? 'L' : `L-${i.off}`;
    if (i.t === 'LW') return i.off === 0 ? 'LW' : `L-${i.off}W`;
    if (i.t === 'W') return `${i.day}W`;
    return renderItem(i, String);
  }).join(',');
  let dow = '?';
  if (spec.dow?.t === 'plain') dow = renderField(spec.dow.items, day);
  else if (spec.dow?.t === 'last') dow = `${day(spec.dow.w)}L`;
  else if (spec.dow?.t === 'nth') dow = `${day(spec.dow.w)}#${spec.dow.k}`;
  const fields = [renderField(spec.sec), renderField(spec.min), renderField(spec.hour), dom, renderField(spec.month, month), dow];
  if (spec.year) fields.push(`${spec.year.a}-${spec.year.b}`);
  const s = fields.join(' ');
  return spec.lower ? s.toLowerCase() : s;
}

/** A random instant 1970–2100 with a random millisecond part. */
export const instantArb = fc.integer({ min: Date.UTC(1970, 0, 1) / S, max: Date.UTC(2100, 11, 31) / S })
  .chain((s) => fc.integer({ min: 0, max: 999 }).map((ms) => s * S + ms));

/**
 * A random 5-field Unix expression (`min hour day-of-month month day-of-week`, day-of-week 0–7),
 * both day fields restricted now and then (Vixie cron ORs them).
 */
export const unixExpressionArb: fc.Arbitrary<string> = fc
  .tuple(fieldArb(0, 59, 30, 2), fieldArb(0, 23, 12, 4), fieldArb(1, 31, 10, 4), fieldArb(1, 12, 6, 8), fieldArb(0, 7, 7, 4))
  .map(([min, hour, dom, month, dow]) => [renderField(min), renderField(hour), renderField(dom), renderField(month), renderField(dow)].join(' '));
