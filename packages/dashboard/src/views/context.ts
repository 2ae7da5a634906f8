import type { Formatter } from '../format.js';
import type { Lang, Translate } from '../i18n/index.js';
import type { DashboardPermission } from '../permissions.js';

/** Everything a view needs for one request. */
export interface ViewContext {
  /** Mount path of the router, '' at the root. */
  base: string;
  lang: Lang;
  t: Translate;
  f: Formatter;
  csrfToken: string;
  readOnly: boolean;
  /** Permissions resolved for this request. */
  can(permission: DashboardPermission): boolean;
  /** The host gave an admin port (users, webhooks, audit pages exist). */
  hasAdmin?: boolean;
  /** Name shown in the header with a sign-out button, when signed in. */
  userName: string | null;
  /** Shows the "no sign-in" warning (local demo). */
  showNoAuthBanner: boolean;
  /** Current path and query relative to `base`, for the language links. */
  currentPath: string;
  /** Zone used when a schedule names none. */
  defaultTimeZone: string;
  /** Builds a URL under the mount path. */
  url(path: string, query?: Record<string, string | number | undefined | null>): string;
}

/** Builds the URL helper for a mount path. */
export function urlBuilder(base: string): ViewContext['url'] {
  return (path, query) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return `${base}${path}${qs ? `?${qs}` : ''}`;
  };
}
