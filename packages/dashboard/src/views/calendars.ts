import type { BusinessCalendar, DayInfo } from '@vecron/sdk/calendar';
import { CALENDAR_RULE_NAMES } from '@vecron/sdk/calendar';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import { LOCALES } from '../i18n/index.js';
import type { MessageKey } from '../i18n/index.js';
import { actionButton } from './components.js';
import type { ViewContext } from './context.js';
import { checkField, liveRegion, postForm, textField } from './forms.js';

/** One calendar as the list shows it. */
export interface CalendarRow {
  calendar: BusinessCalendar;
  builtIn: boolean;
}

/** Weekday names of the UI language, index 0 = Sunday (as `excluded_weekdays` counts). */
function weekdayNames(v: ViewContext, width: 'short' | 'long'): string[] {
  const f = new Intl.DateTimeFormat(LOCALES[v.lang], { weekday: width, timeZone: 'UTC' });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2023, 0, 1 + i))));
}

const kindKey = (kind: DayInfo['kind']): MessageKey => `calendars.kind.${kind}` as MessageKey;
const ruleKey = (rule: string): MessageKey => `calendars.rule.${rule}` as MessageKey;

/** The calendars table: zone, weekly rest days, rules, what each extends; a year link; delete for defined ones. */
export function calendarsTable(v: ViewContext, rows: readonly CalendarRow[], regionUrl: string): SafeHtml {
  const days = weekdayNames(v, 'short');
  const canWrite = v.can('job:write') && !v.readOnly;
  const year = new Date().getUTCFullYear();
  return liveRegion('calendars-region', regionUrl, html`<div class="table-wrap"><table class="grid" data-testid="calendars">
<thead><tr><th scope="col">${v.t('calendars.name')}</th><th scope="col">${v.t('calendars.timezone')}</th><th scope="col">${v.t('calendars.restDays')}</th><th scope="col">${v.t('calendars.rules')}</th><th scope="col">${v.t('calendars.extends')}</th>${canWrite ? html`<th scope="col">${v.t('jobs.actions')}</th>` : ''}</tr></thead>
<tbody>${rows.map(({ calendar: c, builtIn }) => html`<tr data-calendar="${c.name}">
<td><a href="${v.url(`/calendars/${encodeURIComponent(c.name)}`, { year })}">${c.name}</a>${builtIn ? html` <span class="pill pill-off">${v.t('calendars.builtIn')}</span>` : ''}${c.resolved.description ? html`<div class="muted small">${c.resolved.description}</div>` : ''}</td>
<td>${c.timezone}</td>
<td>${c.resolved.excludedWeekdays.map((d) => days[d]).join(', ') || '—'}</td>
<td>${c.resolved.rules.map((r) => v.t(ruleKey(r))).join(', ') || '—'}</td>
<td>${c.resolved.chain.slice(1).join(' → ') || '—'}</td>
${canWrite ? html`<td>${builtIn ? '' : actionButton(v, { path: `/calendars/${encodeURIComponent(c.name)}/delete`, label: v.t('calendars.delete'), kind: 'danger', confirm: v.t('calendars.confirmDelete', { name: c.name }), testId: `delete-calendar-${c.name}` })}</td>` : ''}
</tr>`)}</tbody></table></div>`);
}

/** The define form: the fields of a calendar definition, or the whole definition as JSON. */
export function calendarForm(v: ViewContext, names: readonly string[]): SafeHtml {
  if (!v.can('job:write') || v.readOnly) return html``;
  const days = weekdayNames(v, 'long');
  return html`<section class="card"><h2>${v.t('calendars.defineTitle')}</h2>
<p class="muted small">${v.t('calendars.defineIntro')}</p>
${postForm(v, {
    path: '/calendars', submit: v.t('calendars.save'), testId: 'calendar-form',
    body: html`${textField(v.t('calendars.name'), { name: 'name', maxLength: 100, autocomplete: 'off' })}
${textField(v.t('calendars.description'), { name: 'description', maxLength: 2000 })}
${textField(v.t('calendars.timezone'), { name: 'timezone', value: v.defaultTimeZone, maxLength: 100 })}
<label>${v.t('calendars.extends')}<select name="extends"><option value="">${v.t('calendars.extendsNone')}</option>${names.map((n) => html`<option value="${n}">${n}</option>`)}</select></label>
<fieldset><legend>${v.t('calendars.restDays')}</legend>${days.map((d, i) => checkField(d, { name: 'excluded_weekdays', value: String(i), checked: i === 0 || i === 6 }))}</fieldset>
<fieldset><legend>${v.t('calendars.rules')}</legend>${CALENDAR_RULE_NAMES.map((r) => checkField(v.t(ruleKey(r)), { name: 'rules', value: r }))}</fieldset>
<label>${v.t('calendars.excludedDates')}<textarea name="excluded_dates" rows="4" placeholder="2026-12-24 ${v.t('calendars.labelSample')}"></textarea></label>
<label>${v.t('calendars.extraWorkingDays')}<textarea name="extra_working_days" rows="2" placeholder="2026-12-26"></textarea></label>
<details><summary>${v.t('calendars.jsonTitle')}</summary><label>${v.t('calendars.json')}<textarea name="json" rows="8" class="code" spellcheck="false"></textarea></label></details>`,
  })}</section>`;
}

/** Twelve month grids (weeks from Monday) with days off marked, and the list of days off with reasons. */
export function calendarYear(v: ViewContext, cal: BusinessCalendar, year: number): SafeHtml {
  const names = weekdayNames(v, 'short');
  const head = [1, 2, 3, 4, 5, 6, 0].map((d) => html`<th scope="col">${names[d]}</th>`);
  const monthName = new Intl.DateTimeFormat(LOCALES[v.lang], { month: 'long', timeZone: 'UTC' });
  const offDays: DayInfo[] = [];
  const months = Array.from({ length: 12 }, (_, m) => {
    const first = new Date(Date.UTC(year, m, 1));
    const lead = (first.getUTCDay() + 6) % 7;
    const count = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
    const cells: SafeHtml[] = Array.from({ length: lead }, () => html`<td></td>`);
    for (let d = 1; d <= count; d++) {
      const day = cal.describeDay(`${year}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
      if (!day.businessDay && day.kind !== 'weekend') offDays.push(day);
      const label = day.reason && day.kind !== 'weekend' ? `${v.t(kindKey(day.kind))}: ${day.reason}` : v.t(kindKey(day.kind));
      cells.push(html`<td class="day day-${day.kind}${day.businessDay ? '' : ' day-off'}" data-date="${day.date}" title="${label}"><span aria-hidden="true">${d}</span><span class="sr-only">${d} · ${label}</span></td>`);
    }
    while (cells.length % 7) cells.push(html`<td></td>`);
    const weeks = Array.from({ length: cells.length / 7 }, (_, w) => html`<tr>${cells.slice(w * 7, w * 7 + 7)}</tr>`);
    return html`<table class="month"><caption>${monthName.format(first)}</caption><thead><tr>${head}</tr></thead><tbody>${weeks}</tbody></table>`;
  });
  return html`<nav class="tabs" aria-label="${v.t('calendars.year')}"><a href="${v.url(`/calendars/${encodeURIComponent(cal.name)}`, { year: year - 1 })}" rel="prev">← ${year - 1}</a><a href="${v.url(`/calendars/${encodeURIComponent(cal.name)}`, { year: year + 1 })}" rel="next">${year + 1} →</a></nav>
<p class="legend small"><span class="day-key day-off">${v.t('calendars.legendOff')}</span> <span class="day-key day-weekend">${v.t('calendars.kind.weekend')}</span> <span class="day-key day-make_up_working_day">${v.t('calendars.legendWork')}</span></p>
<div class="months" data-testid="calendar-year">${months}</div>
<section class="card"><h2>${v.t('calendars.daysOff', { year })}</h2>
${offDays.length
    ? html`<div class="table-wrap"><table class="grid" data-testid="days-off"><thead><tr><th scope="col">${v.t('calendars.date')}</th><th scope="col">${v.t('calendars.kind')}</th><th scope="col">${v.t('calendars.reason')}</th></tr></thead>
<tbody>${offDays.map((d) => html`<tr data-date="${d.date}"><td class="nowrap">${d.date}</td><td>${v.t(kindKey(d.kind))}</td><td>${d.reason ?? ''}</td></tr>`)}</tbody></table></div>`
    : html`<p class="empty">${v.t('calendars.noDaysOff')}</p>`}
</section>`;
}
