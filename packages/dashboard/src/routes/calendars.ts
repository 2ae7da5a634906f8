import type { Router } from 'express';
import { NotFoundError, toErrorRecord, ValidationError } from '@vecron/sdk';
import { BUILT_IN_CALENDARS } from '@vecron/sdk/calendar';
import type { BusinessCalendar } from '@vecron/sdk/calendar';
import { html } from '../html.js';
import type { Kit } from '../kit.js';
import { isHtmx, str } from '../kit.js';
import { calendarForm, calendarsTable, calendarYear } from '../views/calendars.js';

const CALENDAR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The form's values as a list: one entry per checked box or per non-empty line. */
const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v !== '' ? [v] : []);
/** `2026-12-24 Year-end closing` lines → dates, labelled when a label follows; other lines kept for the schema to name. */
const datesOf = (v: unknown): unknown[] =>
  (typeof v === 'string' ? v.split(/\r?\n/) : []).map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = /^(\d{4}-\d{2}-\d{2})(?:\s+(.+))?$/.exec(l);
    return m ? (m[2] ? { date: m[1], label: m[2] } : m[1]) : l;
  });

/**
 * The definition a calendar form describes: its JSON box when filled, else the fields. Validated
 * by the SDK (`calendars.define`), whose errors name the field.
 */
export function calendarDefinitionOf(body: Record<string, unknown>): unknown {
  const json = typeof body.json === 'string' ? body.json.trim() : '';
  if (json) {
    try {
      return JSON.parse(json) as unknown;
    } catch (err) {
      throw new ValidationError('calendar definition', [{ path: '$', message: `is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const text = (k: string): string | undefined => str(typeof body[k] === 'string' ? (body[k] as string).trim() : undefined);
  return {
    name: text('name') ?? '',
    ...(text('description') ? { description: text('description') } : {}),
    ...(text('timezone') ? { timezone: text('timezone') } : {}),
    ...(text('extends') ? { extends: text('extends') } : {}),
    excluded_weekdays: listOf(body.excluded_weekdays).map(Number),
    excluded_dates: datesOf(body.excluded_dates),
    extra_working_days: datesOf(body.extra_working_days),
    rules: listOf(body.rules),
  };
}

/** `/calendars`: list, define (form or JSON), delete, and a year with the days off marked. */
export function calendarRoutes(router: Router, kit: Kit): void {
  const { cron, state, need, mutating, audit, afterAction } = kit;

  const mustGet = async (name: string): Promise<BusinessCalendar> => {
    if (!CALENDAR_NAME.test(name) || !(await cron.calendars.list()).includes(name)) throw new NotFoundError('calendar', name);
    return cron.calendars.get(name);
  };

  router.get('/calendars', async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const names = await cron.calendars.list();
    const rows = await Promise.all(names.map(async (n) => ({ calendar: await cron.calendars.get(n), builtIn: n in BUILT_IN_CALENDARS })));
    const table = calendarsTable(v, rows, v.url('/calendars', { region: 1 }));
    if (req.query.region === '1' && isHtmx(req)) {
      await kit.send(req, res, table);
      return;
    }
    await kit.page(req, res, {
      title: v.t('calendars.title'), section: 'calendars',
      body: html`<div class="page-head"><h1>${v.t('calendars.title')}</h1><span class="muted">${v.t('calendars.intro')}</span></div>
${table}
${calendarForm(v, names)}`,
    });
  });

  router.get('/calendars/:name', async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const cal = await mustGet(String(req.params.name));
    const y = Number(str(req.query.year) ?? NaN);
    const year = Number.isInteger(y) && y >= 1900 && y <= 2199 ? y : Number(new Intl.DateTimeFormat('en', { timeZone: cal.timezone, year: 'numeric' }).format(new Date()));
    await kit.page(req, res, {
      title: `${cal.name} · ${year}`, section: 'calendars',
      body: html`<div class="page-head"><h1>${v.t('calendars.yearTitle', { name: cal.name, year })}</h1><a href="${v.url('/calendars')}">${v.t('calendars.back')}</a></div>
${calendarYear(v, cal, year)}`,
    });
  });

  router.post('/calendars', mutating('job:write'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let name = typeof body.name === 'string' ? body.name.trim() : '';
    let existed: boolean;
    try {
      const def = calendarDefinitionOf(body);
      name = typeof (def as { name?: unknown }).name === 'string' ? (def as { name: string }).name : '';
      existed = (await cron.calendars.list()).includes(name);
      await cron.calendars.define(def);
    } catch (err) {
      await audit(req, res, { action: 'calendar.define', resource: `calendar:${name}`, result: toErrorRecord(err).code, details: {} });
      throw err;
    }
    await audit(req, res, { action: 'calendar.define', resource: `calendar:${name}`, result: 'ok', details: { replaced: existed } });
    await afterAction(req, res, html`${state(res).view.t('calendars.saved', { name })} <a href="${state(res).view.url(`/calendars/${encodeURIComponent(name)}`)}">${state(res).view.t('calendars.viewYear')}</a>`);
  });

  router.post('/calendars/:name/delete', mutating('job:write'), async (req, res) => {
    const name = String(req.params.name);
    if (!CALENDAR_NAME.test(name) || !(await cron.calendars.delete(name))) throw new NotFoundError('calendar', name);
    await audit(req, res, { action: 'calendar.delete', resource: `calendar:${name}`, result: 'ok', details: {} });
    await afterAction(req, res, state(res).view.t('calendars.deleted', { name }));
  });
}
