/** Named calendars (definitions stored as given; the scheduler parses them). */
import type { Storage } from '../../port.js';
import type { SqlClient } from '../sql-client.js';
import { iso } from '../sql-values.js';

export async function putCalendar(db: SqlClient, name: string, definition: unknown, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO vecron_calendars (name, definition, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at`,
    [name, JSON.stringify(definition), iso(now)],
  );
}

export async function listCalendars(db: SqlClient): Promise<Array<{ name: string; definition: unknown; updatedAt: Date }>> {
  const { rows } = await db.query(`SELECT name, definition, updated_at FROM vecron_calendars ORDER BY name`);
  return rows.map((r) => ({
    name: String(r.name),
    definition: typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition,
    updatedAt: new Date(r.updated_at as string),
  }));
}

export async function deleteCalendar(db: SqlClient, name: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM vecron_calendars WHERE name = $1`, [name]);
  return rowCount > 0;
}

export function calendarOperations(db: SqlClient): Pick<Storage, 'putCalendar' | 'listCalendars' | 'deleteCalendar'> {
  return {
    putCalendar: (name, definition, now) => putCalendar(db, name, definition, now),
    listCalendars: () => listCalendars(db),
    deleteCalendar: (name) => deleteCalendar(db, name),
  };
}
