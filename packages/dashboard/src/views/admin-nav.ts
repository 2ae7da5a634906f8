import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { ViewContext } from './context.js';
import { ADMIN_TABS } from './admin.js';

/** The administration pages' sections (docs/architecture.md, dashboard). */
export type AdminSection = 'variables' | 'calendars' | 'admin';

/** The navigation entries of the administration pages, each only for those allowed to open it. */
export function adminNav(v: ViewContext, current: string): SafeHtml {
  const entry = (section: AdminSection, path: string, label: string): SafeHtml =>
    html`<a href="${v.url(path)}" data-testid="nav-${section}"${current === section ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`${v.can('variable:read') ? entry('variables', '/variables', v.t('nav.variables')) : ''}${v.can('job:read') ? entry('calendars', '/calendars', v.t('nav.calendars')) : ''}${v.hasAdmin && ADMIN_TABS.some((t) => v.can(t.permission)) ? entry('admin', '/admin', v.t('nav.admin')) : ''}`;
}
