/* eslint-disable no-console -- a benchmark script: run with `npx tsx packages/sdk/src/calendar/calendar.bench.ts` */
/**
 * Throughput of the lunar conversions and calendar queries. Reports, does not gate.
 * Prints one JSON object per measurement.
 */
import { createCalendarRegistry } from './built-in-calendars.js';
import { formatDayNumber } from './local-date.js';
import { julianDayNumber } from './lunar/julian-day.js';
import { lunarFromJulianDay, lunarToJulianDay } from './lunar/lunar-calendar.js';

function measure(name: string, ops: number, fn: () => void): void {
  const t0 = process.hrtime.bigint();
  fn();
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ name, ops, totalMs: +(ns / 1e6).toFixed(1), nsPerOp: Math.round(ns / ops) }));
}

const first = julianDayNumber(1900, 2, 1);
const last = julianDayNumber(2100, 12, 31);
measure('solarToLunar, every day 1900–2100', last - first + 1, () => {
  for (let j = first; j <= last; j += 1) lunarFromJulianDay(j);
});
measure('lunarToSolar 10/3, every year 1900–2100', 201, () => {
  for (let y = 1900; y <= 2100; y += 1) lunarToJulianDay(y, 3, 10);
});

const dates = Array.from({ length: julianDayNumber(2100, 12, 31) - julianDayNumber(2007, 1, 1) + 1 }, (_, i) =>
  formatDayNumber(julianDayNumber(2007, 1, 1) + i),
);
const cold = createCalendarRegistry().get('vn');
measure('vn.isBusinessDay, every day 2007–2100, cold (per-year rules computed)', dates.length, () => {
  for (const d of dates) cold.isBusinessDay(d);
});
measure('vn.isBusinessDay, every day 2007–2100, warm', dates.length, () => {
  for (const d of dates) cold.isBusinessDay(d);
});
measure('vn.nthBusinessDayOfMonth(-1), every month 2007–2100', 94 * 12, () => {
  for (let y = 2007; y <= 2100; y += 1) for (let m = 1; m <= 12; m += 1) cold.nthBusinessDayOfMonth(y, m, -1);
});
measure('vn.addBusinessDays(d, 1), 10 000 dates', 10_000, () => {
  for (let i = 0; i < 10_000; i += 1) cold.addBusinessDays(dates[i * 3]!, 1);
});
