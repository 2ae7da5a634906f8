import type { Migration } from '../migrations.js';

/**
 * Room for a schedule's next version on its own page (issue 15 target c,
 * docs/architecture.md#schema-and-migrations). Every fire advances its schedule (`next_fire_at`,
 * indexed, so never a HOT update). On a full page the new version goes to another page, and
 * PostgreSQL first writes a lock record for the old one (it must let go of the page meanwhile):
 * in a burst of 10,000, 2.0 lock records per fire on `vecron_schedules` where 1.0 (the claim's
 * `FOR UPDATE`) is needed. At midnight every schedule of a page may advance in one transaction,
 * so every new version must fit beside the old ones: a row is 60 bytes with its line pointer, 68
 * once `last_fire_at` is set (the first fire sets it), so 55 % of each page stays free (at 50 %
 * a page takes 68 rows, and their 68 new versions of 68 bytes do not fit: 14 % of a burst of
 * 10,000 still moved).
 * New pages only: an existing table keeps its packed pages until it is rewritten (`VACUUM FULL`).
 */
export const m0012ScheduleRoom: Migration = {
  id: 12,
  name: 'schedule_room',
  sql: `
ALTER TABLE vecron_schedules SET (fillfactor = 45);
`,
};
