import type { DashboardAdminRole, DashboardAdminUser, DashboardAdminWebhook, DashboardAdminWebhookSecret, DashboardAuditRecord, DashboardAuditVerification } from '../admin-port.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { DashboardPermission } from '../permissions.js';
import { actionButton, shortId } from './components.js';
import type { ViewContext } from './context.js';
import { checkField, liveRegion, postForm, textField } from './forms.js';

/** The administration tabs (users, webhooks, audit log), each for those allowed to open it. */
export const ADMIN_TABS: ReadonlyArray<{ tab: 'users' | 'webhooks' | 'audit'; permission: DashboardPermission }> = [
  { tab: 'users', permission: 'user:manage' },
  { tab: 'webhooks', permission: 'webhook:read' },
  { tab: 'audit', permission: 'system:audit' },
];

/** The tab bar of the administration pages. */
export function adminTabs(v: ViewContext, current: 'users' | 'webhooks' | 'audit'): SafeHtml {
  return html`<nav class="tabs" aria-label="${v.t('nav.admin')}">${ADMIN_TABS.filter((t) => v.can(t.permission)).map((t) =>
    html`<a href="${v.url(`/admin/${t.tab}`)}" data-testid="tab-${t.tab}"${t.tab === current ? html` aria-current="page"` : ''}>${v.t(`admin.tab.${t.tab}`)}</a>`)}</nav>`;
}

const writable = (v: ViewContext, p: DashboardPermission): boolean => v.can(p) && !v.readOnly;

/** The users table with per-user actions (roles, disable/enable, one-time password). */
export function usersTable(v: ViewContext, users: readonly DashboardAdminUser[], roles: readonly DashboardAdminRole[] | null, regionUrl: string): SafeHtml {
  const manage = writable(v, 'user:manage');
  const assign = writable(v, 'role:assign') && roles !== null;
  const body = html`<div class="table-wrap"><table class="grid" data-testid="users">
<thead><tr><th scope="col">${v.t('admin.users.username')}</th><th scope="col">${v.t('admin.users.displayName')}</th><th scope="col">${v.t('admin.users.roles')}</th><th scope="col">${v.t('admin.users.state')}</th><th scope="col">${v.t('admin.users.created')}</th>${manage || assign ? html`<th scope="col">${v.t('jobs.actions')}</th>` : ''}</tr></thead>
<tbody>${users.map((u) => html`<tr data-user="${u.username}">
<td><code>${u.username}</code></td><td>${u.displayName ?? ''}</td><td>${u.roles.length ? u.roles.map((r, i) => html`${i ? ', ' : ''}<code>${r}</code>`) : '—'}</td>
<td>${u.disabled ? html`<span class="pill pill-off">${v.t('admin.users.disabled')}</span>` : html`<span class="pill pill-on">${v.t('admin.users.active')}</span>`}${u.mustChangePassword ? html` <span class="pill o-shifted">${v.t('admin.users.mustChange')}</span>` : ''}</td>
<td class="nowrap">${v.f.dateTime(u.createdAt)}</td>
${manage || assign ? html`<td class="actions">${manage ? actionButton(v, { path: `/admin/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`, label: v.t(u.disabled ? 'admin.users.enable' : 'admin.users.disable'), kind: u.disabled ? 'plain' : 'danger', confirm: v.t(u.disabled ? 'admin.users.confirmEnable' : 'admin.users.confirmDisable', { name: u.username }), testId: `${u.disabled ? 'enable' : 'disable'}-${u.username}` }) : ''}
${assign ? html`<details><summary>${v.t('admin.users.changeRoles')}</summary>${postForm(v, { path: `/admin/users/${u.id}/roles`, submit: v.t('admin.users.saveRoles'), body: html`<fieldset><legend>${v.t('admin.users.rolesOf', { name: u.username })}</legend>${roles.map((r) => checkField(html`<code>${r.name}</code>`, { name: 'roles', value: r.name, checked: u.roles.includes(r.name) }))}</fieldset>` })}</details>` : ''}
${manage ? html`<details><summary>${v.t('admin.users.resetPassword')}</summary>${postForm(v, { path: `/admin/users/${u.id}/password`, submit: v.t('admin.users.setPassword'), body: textField(v.t('admin.users.oneTimePassword'), { name: 'password', type: 'password', required: true, autocomplete: 'new-password', maxLength: 256 }) })}</details>` : ''}</td>` : ''}
</tr>`)}</tbody></table></div>`;
  return liveRegion('users-region', regionUrl, body);
}

/** The new-user form: the password is one-time (changed at first sign-in). */
export function userForm(v: ViewContext, roles: readonly DashboardAdminRole[] | null): SafeHtml {
  if (!writable(v, 'user:manage')) return html``;
  return html`<section class="card"><h2>${v.t('admin.users.createTitle')}</h2>
${postForm(v, {
    path: '/admin/users', submit: v.t('admin.users.create'), testId: 'user-form',
    body: html`${textField(v.t('admin.users.username'), { name: 'username', required: true, maxLength: 100, autocomplete: 'off' })}
${textField(v.t('admin.users.displayName'), { name: 'display_name', maxLength: 200 })}
${textField(v.t('admin.users.oneTimePassword'), { name: 'password', type: 'password', required: true, autocomplete: 'new-password', maxLength: 256 })}
${roles && v.can('role:assign') ? html`<fieldset><legend>${v.t('admin.users.roles')}</legend>${roles.map((r) => checkField(html`<code>${r.name}</code>`, { name: 'roles', value: r.name }))}</fieldset>` : ''}
<p class="muted small">${v.t('admin.users.passwordRule')}</p>`,
  })}</section>`;
}

/**
 * A role's description: the host's built-in roles (the reference server's `Admin` and `Regular
 * User`) in the page's language, any other role as the host stored it.
 */
function roleDescription(v: ViewContext, r: DashboardAdminRole): string | null {
  if (r.builtIn && r.name === 'Admin') return v.t('admin.roles.builtinAdmin');
  if (r.builtIn && r.name === 'Regular User') return v.t('admin.roles.builtinRegularUser');
  return r.description;
}

/** Roles and their permissions. */
export function rolesTable(v: ViewContext, roles: readonly DashboardAdminRole[]): SafeHtml {
  return html`<section class="card"><h2>${v.t('admin.roles.title')}</h2><div class="table-wrap"><table class="grid" data-testid="roles">
<thead><tr><th scope="col">${v.t('admin.roles.name')}</th><th scope="col">${v.t('admin.roles.scope')}</th><th scope="col">${v.t('admin.roles.permissions')}</th></tr></thead>
<tbody>${roles.map((r) => html`<tr data-role="${r.name}"><td><code>${r.name}</code>${r.builtIn ? html` <span class="pill pill-off">${v.t('calendars.builtIn')}</span>` : ''}${roleDescription(v, r) ? html`<div class="muted small">${roleDescription(v, r)}</div>` : ''}</td>
<td>${v.t(r.executionScope === 'all' ? 'admin.roles.scopeAll' : 'admin.roles.scopeOwn')}</td><td>${r.permissions.map((p) => html`<code>${p}</code> `)}</td></tr>`)}</tbody></table></div></section>`;
}

/** The webhooks table: URL, job, secrets still accepted; rotate and delete. */
export function webhooksTable(v: ViewContext, hooks: ReadonlyArray<DashboardAdminWebhook & { jobName: string | null }>, regionUrl: string): SafeHtml {
  const write = writable(v, 'webhook:write');
  const body = hooks.length
    ? html`<div class="table-wrap"><table class="grid" data-testid="webhooks">
<thead><tr><th scope="col">${v.t('admin.webhooks.id')}</th><th scope="col">${v.t('jobs.name')}</th><th scope="col">${v.t('admin.webhooks.url')}</th><th scope="col">${v.t('admin.webhooks.secrets')}</th><th scope="col">${v.t('admin.users.created')}</th>${write ? html`<th scope="col">${v.t('jobs.actions')}</th>` : ''}</tr></thead>
<tbody>${hooks.map((w) => html`<tr data-webhook="${w.id}"><td>${shortId(w.id)}</td><td><a href="${v.url(`/jobs/${w.jobId}`)}">${w.jobName ?? w.jobId.slice(0, 8)}</a></td><td><code>${w.url}</code></td><td>${w.activeSecrets}</td><td class="nowrap">${v.f.dateTime(w.createdAt)}</td>
${write ? html`<td class="actions">${actionButton(v, { path: `/admin/webhooks/${w.id}/rotate`, label: v.t('admin.webhooks.rotate'), confirm: v.t('admin.webhooks.confirmRotate'), testId: `rotate-${w.id}` })}${actionButton(v, { path: `/admin/webhooks/${w.id}/delete`, label: v.t('admin.webhooks.delete'), kind: 'danger', confirm: v.t('admin.webhooks.confirmDelete'), testId: `delete-${w.id}` })}</td>` : ''}</tr>`)}</tbody></table></div>`
    : html`<p class="empty">${v.t('admin.webhooks.empty')}</p>`;
  return liveRegion('webhooks-region', regionUrl, body);
}

/** The new-webhook form (a job by id or exact name). */
export function webhookForm(v: ViewContext): SafeHtml {
  if (!writable(v, 'webhook:write')) return html``;
  return html`<section class="card"><h2>${v.t('admin.webhooks.createTitle')}</h2>
${postForm(v, { path: '/admin/webhooks', submit: v.t('admin.webhooks.create'), testId: 'webhook-form', body: textField(v.t('admin.webhooks.job'), { name: 'job', required: true, maxLength: 200, autocomplete: 'off' }) })}</section>`;
}

/** The secret of a created or rotated webhook, its URL and a caller sample: shown this once. */
export function webhookSecretPanel(v: ViewContext, s: DashboardAdminWebhookSecret): SafeHtml {
  return html`<div class="secret-once" data-testid="webhook-secret" role="status">
<p><strong>${v.t('admin.webhooks.onceTitle')}</strong></p>
<dl class="facts"><dt>${v.t('admin.webhooks.url')}</dt><dd><code data-testid="webhook-url">${s.webhook.url}</code></dd><dt>${v.t('admin.webhooks.secret')}</dt><dd><code data-testid="webhook-secret-value">${s.secret}</code></dd></dl>
<p>${v.t('admin.webhooks.sample')}</p><pre class="code">${s.sample}</pre></div>`;
}

/** The audit filter form (GET). */
export function auditFilters(v: ViewContext, q: { actor?: string | undefined; action?: string | undefined; resource?: string | undefined; from?: string | undefined; to?: string | undefined }): SafeHtml {
  return html`<form class="filters" method="get" action="${v.url('/admin/audit')}" data-testid="audit-filters">
${textField(v.t('admin.audit.actor'), { name: 'actor', value: q.actor ?? '', maxLength: 100 })}
${textField(v.t('admin.audit.action'), { name: 'action', value: q.action ?? '', maxLength: 100, placeholder: 'job.create' })}
${textField(v.t('admin.audit.resource'), { name: 'resource', value: q.resource ?? '', maxLength: 200, placeholder: 'job:…' })}
${textField(v.t('executions.from'), { name: 'from', value: q.from ?? '', type: 'date' })}
${textField(v.t('executions.to'), { name: 'to', value: q.to ?? '', type: 'date' })}
<button class="btn" type="submit">${v.t('executions.filter')}</button></form>`;
}

/** The audit records, newest first. */
export function auditTable(v: ViewContext, records: readonly DashboardAuditRecord[]): SafeHtml {
  if (!records.length) return html`<p class="empty">${v.t('admin.audit.empty')}</p>`;
  return html`<div class="table-wrap"><table class="grid" data-testid="audit">
<thead><tr><th scope="col">#</th><th scope="col">${v.t('admin.audit.at')}</th><th scope="col">${v.t('admin.audit.actor')}</th><th scope="col">${v.t('admin.audit.action')}</th><th scope="col">${v.t('admin.audit.resource')}</th><th scope="col">${v.t('admin.audit.result')}</th><th scope="col">${v.t('admin.audit.details')}</th></tr></thead>
<tbody>${records.map((r) => html`<tr data-seq="${r.seq}" data-action="${r.action}"><td>${r.seq}</td><td class="nowrap">${v.f.dateTime(r.at)}</td><td>${r.actor}</td><td><code>${r.action}</code></td><td>${r.resource ? html`<code>${r.resource}</code>` : ''}</td>
<td>${r.result === 'ok' ? html`<span class="pill pill-on">ok</span>` : html`<span class="pill o-missed">${r.result}</span>`}</td><td><code class="small">${JSON.stringify(r.details).slice(0, 300)}</code></td></tr>`)}</tbody></table></div>`;
}

/** What the chain check found. */
export function auditVerification(v: ViewContext, r: DashboardAuditVerification): SafeHtml {
  return r.ok
    ? html`<div class="flash flash-ok" role="status" data-testid="audit-verified">${v.t('admin.audit.verifiedOk', { n: r.checked })}</div>`
    : html`<div class="flash flash-error" role="alert" data-testid="audit-broken">${v.t('admin.audit.verifiedBad', { n: r.checked, seq: r.firstBadSeq ?? '?' })} ${r.reason ?? ''}</div>`;
}
