/** The contract of a built-in calendar rule (a computed set of holidays and working days). */

/** One day a rule marks. */
export interface RuleDay {
  /** `holiday`: not a business day. `working`: a business day even on an excluded weekday. */
  kind: 'holiday' | 'working';
  /** Human-readable reason, e.g. `Tết Nguyên Đán`, `Nghỉ bù Giỗ Tổ Hùng Vương`. */
  label: string;
  /** Finer classification for reports. */
  category: 'public_holiday' | 'compensatory' | 'swap' | 'make_up_working_day';
  /** Where the day comes from (law article or announcement). */
  source: string;
}

/** What a rule may know about the calendar evaluating it. */
export interface RuleContext {
  /** Weekly rest days of the calendar (0 = Sunday … 6 = Saturday); compensatory days skip them. */
  restWeekdays: ReadonlySet<number>;
}

/** A named rule that computes, per solar year, the days it marks. Pure: same input, same output. */
export interface CalendarRule {
  /** Name used in a calendar's `rules` list. */
  name: string;
  /** One sentence for docs and API listings. */
  description: string;
  /** First and last solar year the rule knows; evaluating outside throws. */
  coverage: { from: number; to: number };
  /** The marked days of one solar year, keyed by Julian Day Number. */
  daysOfYear(year: number, ctx: RuleContext): ReadonlyMap<number, RuleDay>;
}
