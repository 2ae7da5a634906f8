import { html, jsonAttr } from '../html.js';
import type { SafeHtml } from '../html.js';
import { LANGUAGES } from '../i18n/index.js';
import { adminNav } from './admin-nav.js';
import type { AdminSection } from './admin-nav.js';
import type { ViewContext } from './context.js';

/** Version string appended to asset URLs so a new release is fetched despite the long cache. */
export const ASSET_VERSION = '0.1.2-htmx2.0.11';

// htmx: no eval, no inline styles (strict CSP), and 4xx answers are swapped so errors show in place.
const HTMX_CONFIG = jsonAttr({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true, error: true },
    { code: '...', swap: false, error: true },
  ],
});

/** Which top-level page is shown, for the navigation highlight. */
export type Section = 'jobs' | 'executions' | 'dead-letters' | 'timeline' | 'upcoming' | 'login' | 'error' | AdminSection;

/** The page shell: header with navigation, language switch and live indicator; the flash area; the content. */
export function layout(v: ViewContext, o: { title: string; section: Section; body: SafeHtml; counters?: SafeHtml }): SafeHtml {
  const nav = (section: Section, path: string, label: string): SafeHtml =>
    html`<a href="${v.url(path)}"${o.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  const langLink = (lang: string): SafeHtml => {
    const u = new URL(v.currentPath, 'http://dashboard.invalid');
    u.searchParams.set('lang', lang);
    return html`<a href="${v.base}${u.pathname}${u.search}" hreflang="${lang}" data-testid="lang-${lang}"${lang === v.lang ? html` aria-current="true"` : ''}>${lang.toUpperCase()}</a>`;
  };
  const showNav = o.section !== 'login';
  return html`<!doctype html>
<html lang="${v.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${o.title} · ${v.t('app.title')}</title>
<meta name="htmx-config" content="${HTMX_CONFIG}">
<link rel="stylesheet" href="${v.url('/assets/dashboard.css', { v: ASSET_VERSION })}">
<script src="${v.url('/assets/htmx.min.js', { v: ASSET_VERSION })}" defer></script>
<script src="${v.url('/assets/dashboard.js', { v: ASSET_VERSION })}" defer></script>
</head>
<body hx-headers="${JSON.stringify({ 'X-CSRF-Token': v.csrfToken })}" data-events="${showNav ? v.url('/events') : ''}">
<a class="skip-link" href="#main" data-testid="skip-link">${v.t('nav.skip')}</a>
<header class="top">
  <a class="brand" href="${v.url('/')}">vecron</a>
  ${showNav ? html`<nav class="main-nav">${nav('jobs', '/', v.t('nav.jobs'))}${nav('executions', '/executions', v.t('nav.executions'))}${nav('dead-letters', '/dead-letters', v.t('nav.deadLetters'))}${nav('timeline', '/timeline', v.t('nav.timeline'))}${nav('upcoming', '/upcoming', v.t('nav.upcoming'))}${adminNav(v, o.section)}</nav>` : ''}
  <div class="spacer"></div>
  ${showNav ? html`<span id="live" class="live" data-on="${v.t('live.connected')}" data-off="${v.t('live.disconnected')}" aria-live="polite"></span>` : ''}
  <span class="tz muted" data-testid="time-zone">${v.t('time.zoneNote', { tz: v.f.timeZone })}</span>
  <nav class="lang" aria-label="${v.t('nav.language')}">${LANGUAGES.map(langLink)}</nav>
  ${v.userName
    ? html`<span class="muted">${v.t('nav.signedInAs', { name: v.userName })}</span>
  <form class="inline" method="post" action="${v.url('/logout')}"><input type="hidden" name="_csrf" value="${v.csrfToken}"><button class="btn btn-plain" type="submit">${v.t('nav.logout')}</button></form>`
    : ''}
</header>
${v.showNoAuthBanner ? html`<div class="banner banner-warn" role="note">${v.t('banner.noAuth')}</div>` : ''}
${v.readOnly ? html`<div class="banner" role="note">${v.t('banner.readOnly')}</div>` : ''}
${o.counters ?? ''}
<main id="main" tabindex="-1">
<div id="flash" aria-live="polite"></div>
${o.body}
</main>
</body>
</html>`;
}
