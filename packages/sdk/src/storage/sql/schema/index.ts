import type { SchemaDefinition } from '../migrations.js';
import { m0001Init } from './0001-init.js';
import { m0002DeadLetterDiscards } from './0002-dead-letter-discards.js';
import { m0003Calendars } from './0003-calendars.js';
import { m0004ClusterSettings } from './0004-cluster-settings.js';
import { m0005StepLogs } from './0005-step-logs.js';
import { m0006DeadLetterIndexes } from './0006-dead-letter-indexes.js';
import { m0008RetentionIndex } from './0008-retention-index.js';
import { m0007ExecutionListIndexes } from './0007-execution-list-indexes.js';
import { m0009RetentionByJob } from './0009-retention-by-job.js';
import { m0010HotExecutionUpdates } from './0010-hot-execution-updates.js';
import { m0011RowHeldStepAttempt } from './0011-row-held-step-attempt.js';
import { m0012ScheduleRoom } from './0012-schedule-room.js';
import { m0013StoredFireSpec } from './0013-stored-fire-spec.js';

/** The owner of the core's migrations. */
export const CORE_OWNER = 'vecron';

/**
 * The core's schema (owner `vecron`): only the tables the SDK itself reads and writes. Tables are
 * unqualified so a deployment (or a test) can place them in its own schema via `search_path`.
 * Packages that keep their own tables in the same database attach them with
 * `Storage.attachSchema` under their own owner.
 */
export const coreSchema: SchemaDefinition = {
  owner: CORE_OWNER,
  migrations: [m0001Init, m0002DeadLetterDiscards, m0003Calendars, m0004ClusterSettings, m0005StepLogs, m0006DeadLetterIndexes, m0007ExecutionListIndexes, m0008RetentionIndex, m0009RetentionByJob, m0010HotExecutionUpdates, m0011RowHeldStepAttempt, m0012ScheduleRoom, m0013StoredFireSpec],
};
