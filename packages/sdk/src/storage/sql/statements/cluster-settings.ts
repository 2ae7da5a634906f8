/** Cluster-wide settings: the scheduler pause. */
import type { SchedulerPause, Storage } from '../../port.js';
import type { SqlClient } from '../sql-client.js';
import { iso } from '../sql-values.js';

export async function getSchedulerPause(db: SqlClient): Promise<SchedulerPause | null> {
  const { rows } = await db.query(`SELECT value FROM vecron_cluster_settings WHERE key = 'scheduler.pause'`);
  if (!rows[0]) return null;
  const v = (typeof rows[0].value === 'string' ? JSON.parse(rows[0].value) : rows[0].value) as { since: string; by: string | null; reason: string | null };
  return { since: new Date(v.since), by: v.by ?? null, reason: v.reason ?? null };
}

export async function setSchedulerPause(db: SqlClient, pause: SchedulerPause | null): Promise<void> {
  if (!pause) {
    await db.query(`DELETE FROM vecron_cluster_settings WHERE key = 'scheduler.pause'`);
    return;
  }
  await db.query(
    `INSERT INTO vecron_cluster_settings (key, value, updated_at, updated_by) VALUES ('scheduler.pause', $1::jsonb, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [JSON.stringify({ since: pause.since.toISOString(), by: pause.by, reason: pause.reason }), iso(pause.since), pause.by],
  );
}

export function clusterSettingOperations(db: SqlClient): Pick<Storage, 'getSchedulerPause' | 'setSchedulerPause'> {
  return {
    getSchedulerPause: () => getSchedulerPause(db),
    setSchedulerPause: (pause) => setSchedulerPause(db, pause),
  };
}
