/**
 * A calendar date, optionally with a wall-clock time, without a timezone — what a spreadsheet
 * cell or a `dd/MM/yyyy` text holds. JSON form: `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss[.SSS]`.
 */
export class LocalDateTime {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour = 0,
    readonly minute = 0,
    readonly second = 0,
    readonly millisecond = 0,
    readonly hasTime = false,
  ) {}

  /** Milliseconds as if the wall-clock time were UTC (for ordering and XLSX cells). */
  get epochMs(): number {
    const d = new Date(0);
    d.setUTCFullYear(this.year, this.month - 1, this.day);
    d.setUTCHours(this.hour, this.minute, this.second, this.millisecond);
    return d.getTime();
  }

  /** ISO text: `yyyy-MM-dd`, or `yyyy-MM-ddTHH:mm:ss` (+ `.SSS` when non-zero) with a time. */
  toString(): string {
    const date = `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
    if (!this.hasTime) return date;
    const ms = this.millisecond ? `.${pad(this.millisecond, 3)}` : '';
    return `${date}T${pad(this.hour, 2)}:${pad(this.minute, 2)}:${pad(this.second, 2)}${ms}`;
  }

  /** Same as {@link toString}. */
  toJSON(): string {
    return this.toString();
  }

  /** From a JS Date whose UTC fields hold the wall-clock value (how exceljs reports date cells). */
  static fromUtcDate(d: Date): LocalDateTime {
    const hasTime = d.getUTCHours() !== 0 || d.getUTCMinutes() !== 0 || d.getUTCSeconds() !== 0 || d.getUTCMilliseconds() !== 0;
    return new LocalDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds(), hasTime);
  }

  /** Builds a value after checking every field (31/02 is rejected). */
  static of(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, hasTime: boolean): LocalDateTime | undefined {
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59 || ms > 999) return undefined;
    return new LocalDateTime(year, month, day, hour, minute, second, ms, hasTime);
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
