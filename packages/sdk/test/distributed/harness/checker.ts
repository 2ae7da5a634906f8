import type { SqlClient } from '@vecron/sdk';

/** Creates the harness tables in the run's schema: the step sink and a log of every terminal transition (by trigger). */
export async function createHarnessTables(sql: SqlClient): Promise<void> {
  await sql.exec(`
    CREATE TABLE IF NOT EXISTS harness_sink (
      execution_id uuid NOT NULL, step_id text NOT NULL, attempt integer NOT NULL, pid integer NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp(), aborted text
    );
    CREATE TABLE IF NOT EXISTS harness_transitions (
      execution_id uuid NOT NULL, status text NOT NULL, fencing_token bigint, at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE OR REPLACE FUNCTION harness_log_terminal() RETURNS trigger AS $$
    BEGIN
      IF NEW.status IN ('success','failed','timeout','cancelled','dead_letter') AND NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO harness_transitions (execution_id, status, fencing_token) VALUES (NEW.id, NEW.status, NEW.fencing_token);
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS harness_terminal ON vecron_executions;
    CREATE TRIGGER harness_terminal AFTER UPDATE ON vecron_executions FOR EACH ROW EXECUTE FUNCTION harness_log_terminal();
  `);
}

/** What the checker found. */
export interface CheckResult {
  total: number;
  succeeded: number;
  /** Executions not terminal, or missing. */
  lost: number;
  /** Executions that reached a terminal status more than once (a late write that got through). */
  duplicatedCompletions: number;
  /** (execution, step, attempt) side effects recorded more than once. */
  duplicatedAttempts: number;
  /**
   * Steps with more than one succeeded attempt: a worker died after the step's side effect but
   * before its progress was saved — the documented at-least-once of the step in flight.
   */
  duplicatedStepSuccesses: number;
  /** Executions with such a step. */
  stepRerunExecutions: string[];
  /** Side effects per status. */
  byStatus: Record<string, number>;
}

/** Counts lost and duplicated executions among `ids` (all executions of the schema when omitted). */
export async function check(sql: SqlClient, ids?: string[]): Promise<CheckResult> {
  const idList = ids ?? (await sql.query<{ id: string }>(`SELECT id FROM vecron_executions`)).rows.map((r) => r.id);
  const { rows: statuses } = await sql.query<{ status: string; n: string }>(
    `SELECT status, count(*) AS n FROM vecron_executions WHERE id = ANY($1::uuid[]) GROUP BY status`, [idList],
  );
  const byStatus = Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)]));
  const present = statuses.reduce((a, r) => a + Number(r.n), 0);
  const terminal = ['success', 'failed', 'timeout', 'cancelled', 'dead_letter'].reduce((a, s) => a + (byStatus[s] ?? 0), 0);
  const one = async (text: string): Promise<number> => Number((await sql.query<{ n: string }>(text, [idList])).rows[0]?.n ?? 0);
  return {
    total: idList.length,
    succeeded: byStatus.success ?? 0,
    lost: idList.length - present + (present - terminal),
    duplicatedCompletions: await one(`SELECT count(*) AS n FROM (SELECT execution_id FROM harness_transitions WHERE execution_id = ANY($1::uuid[]) GROUP BY execution_id HAVING count(*) > 1) d`),
    duplicatedAttempts: await one(`SELECT count(*) AS n FROM (SELECT 1 FROM harness_sink WHERE execution_id = ANY($1::uuid[]) GROUP BY execution_id, step_id, attempt HAVING count(*) > 1) d`),
    duplicatedStepSuccesses: await one(`SELECT count(*) AS n FROM (SELECT 1 FROM vecron_step_attempts_all WHERE execution_id = ANY($1::uuid[]) AND status = 'succeeded' GROUP BY execution_id, step_id HAVING count(*) > 1) d`),
    stepRerunExecutions: (await sql.query<{ id: string }>(
      `SELECT DISTINCT execution_id AS id FROM vecron_step_attempts_all WHERE execution_id = ANY($1::uuid[]) AND status = 'succeeded' GROUP BY execution_id, step_id HAVING count(*) > 1`, [idList],
    )).rows.map((r) => r.id),
    byStatus,
  };
}

/** Polls until every id is terminal or the deadline passes; returns when that happened (ms epoch) or null. */
export async function waitAllTerminal(sql: SqlClient, ids: string[], deadline: number): Promise<number | null> {
  for (;;) {
    const { rows } = await sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM vecron_executions WHERE id = ANY($1::uuid[]) AND status IN ('success','failed','timeout','cancelled','dead_letter')`, [ids],
    );
    if (Number(rows[0]?.n) === ids.length) return Date.now();
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Status counts and a few non-terminal rows, for a failure message. */
export async function diagnose(sql: SqlClient, ids: string[]): Promise<string> {
  const { rows: counts } = await sql.query(`SELECT status, count(*) AS n FROM vecron_executions WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
  const { rows: stuck } = await sql.query(
    `SELECT id, status, attempt, available_at, published_at, lease_owner, lease_expires_at, fencing_token, clock_timestamp() AS db_now FROM vecron_executions
     WHERE id = ANY($1::uuid[]) AND status NOT IN ('success','failed','timeout','cancelled','dead_letter') LIMIT 5`, [ids],
  );
  return JSON.stringify({ counts, stuck }, null, 1);
}
