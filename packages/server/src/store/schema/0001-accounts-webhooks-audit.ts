import type { Migration } from '@vecron/sdk';

/** Users, roles, webhooks and their deliveries, and the append-only audit log. */
export const m0001AccountsWebhooksAudit: Migration = {
  id: 1,
  name: 'accounts_webhooks_audit',
  // A database migrated before migrations had owners got these tables from the core's `0002_server`.
  legacy: { id: 2, name: 'server' },
  sql: `
CREATE TABLE vecron_users (
  id                    uuid PRIMARY KEY,
  username              text NOT NULL UNIQUE,
  display_name          text,
  password_hash         text NOT NULL,
  disabled              boolean NOT NULL DEFAULT false,
  must_change_password  boolean NOT NULL DEFAULT false,
  -- Bumped on role change, disable, password change: every token carrying an older value is refused.
  token_version         integer NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);

CREATE TABLE vecron_roles (
  id               uuid PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  description      text,
  permissions      jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- 'all': sees every execution; 'own': only executions the user triggered.
  execution_scope  text NOT NULL DEFAULT 'own' CHECK (execution_scope IN ('all','own')),
  builtin          boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL
);

CREATE TABLE vecron_user_roles (
  user_id  uuid NOT NULL REFERENCES vecron_users(id) ON DELETE CASCADE,
  role_id  uuid NOT NULL REFERENCES vecron_roles(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role_id)
);

-- Webhook endpoints; 'secrets' is a JSON array of { id, ciphertext, created_at, expires_at }:
-- several are valid at once while a secret rotates. Ciphertext only (AES-256-GCM).
CREATE TABLE vecron_webhooks (
  id          uuid PRIMARY KEY,
  job_id      uuid NOT NULL REFERENCES vecron_jobs(id) ON DELETE CASCADE,
  secrets     jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by  uuid,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX vecron_webhooks_job ON vecron_webhooks (job_id);

-- Delivery ids seen per webhook, against replay. Old rows may be pruned past the timestamp window.
CREATE TABLE vecron_webhook_deliveries (
  webhook_id    uuid NOT NULL REFERENCES vecron_webhooks(id) ON DELETE CASCADE,
  delivery_id   text NOT NULL,
  received_at   timestamptz NOT NULL,
  execution_id  uuid,
  PRIMARY KEY (webhook_id, delivery_id)
);

-- Append-only, hash-chained audit log: hash = sha256(prev_hash || canonical row). Writers take
-- an advisory lock so the chain stays linear across API replicas.
CREATE TABLE vecron_audit_log (
  seq          bigint PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor_id     uuid,
  actor        text NOT NULL,
  action       text NOT NULL,
  resource     text,
  ip           text,
  result       text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX vecron_audit_log_at ON vecron_audit_log (at);

CREATE FUNCTION vecron_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'vecron_audit_log is append-only';
END;
$$;
CREATE TRIGGER vecron_audit_log_no_update BEFORE UPDATE OR DELETE ON vecron_audit_log
  FOR EACH ROW EXECUTE FUNCTION vecron_audit_log_append_only();
CREATE TRIGGER vecron_audit_log_no_truncate BEFORE TRUNCATE ON vecron_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION vecron_audit_log_append_only();
`,
};
