import type { Logger } from 'pino';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import type { Queue } from '../queue/port.js';
import type { BusinessCalendar } from '../calendar/calendar.js';
import type { CalendarRegistry } from '../calendar/built-in-calendars.js';
import type { Execution } from '../model/execution.js';
import type { FireSkip, FireState, Storage } from '../storage/port.js';
import { createBackgroundLoop } from './background-loop.js';
import { createCalendarSource, storedCalendarRegistry } from './calendar-source.js';
import { decideFires } from './decide-fires.js';
import { createDecisionMemo, isSharedDecision } from './decision-memo.js';
import { createPublishWindow } from './publish-window.js';
import type { DecideSettings } from './decide-fires.js';

/**
 * Messages of one tick awaiting the queue at once, and per `publishMany` call:
 * a burst of 100,000 due schedules is announced without waiting for each chunk in turn.
 */
const PUBLISH_LIMITS = { maxInFlight: 5_000, chunk: 500 };

/**
 * Schedules claimed by a tick's first transaction at most. Larger claims cost less per fire in a
 * burst (fewer transactions, each scanning past the index entries earlier ones left dead), but
 * nothing is announced before its claim commits: 1,000 fires due at once were all created 74 ms
 * after the due instant in two claims of 500, 247 ms in one of 1,000.
 */
const FIRST_CLAIM = 500;

/** Settings of the scheduler role. */
export interface SchedulerSettings extends DecideSettings {
  pollIntervalMs: number;
  /** Schedules claimed per transaction (the first of a tick claims at most 500). */
  batchSize: number;
  newExecutionId: () => string;
}

/** The scheduler role: turns due schedules into executions, exactly once per fire instant. */
export interface Scheduler {
  /** One pass: fire everything due now. Returns how many executions it created. */
  tick(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** Creates the scheduler. Any number may run against one store; the claim is a database operation. */
export function createScheduler(deps: {
  storage: Storage; queue: Queue; events: CronEventBus; clock: Clock; logger: Logger; settings: SchedulerSettings;
}): Scheduler {
  const { storage, queue, events, clock, logger, settings } = deps;
  const loop = createBackgroundLoop({ intervalMs: settings.pollIntervalMs, logger, events, where: 'scheduler', failure: 'scheduler tick failed; retrying' });

  const calendars = createCalendarSource(storage);
  type Lookup = (name: string) => BusinessCalendar;
  /** The stored calendars as last reported with a claim (`fireDueSchedules` `fireState`), and their version. */
  let reported: { version: string | null; lookup: Lookup } = { version: null, lookup: lookupOf(storedCalendarRegistry([])) };
  /** False once the storage was seen not to report `fireState`: each tick then reads the pause and the calendars first. */
  let reportsState = true;
  /** The pause and the calendars read by queries of their own (the storage does not report them). */
  const readState = async (): Promise<{ paused: boolean; lookup: Lookup }> => ({
    lookup: await calendars.lookup(),
    paused: (await storage.getSchedulerPause()) !== null,
  });

  async function tick(): Promise<number> {
    let total = 0;
    // The pause and the calendars come with each claim, read in its transaction (`fireState`):
    // a pause takes effect at the next claim of every scheduler, and no query of their own.
    let paused: boolean | null = null;
    let lookup = reported.lookup;
    if (!reportsState) ({ paused, lookup } = await readState());
    const announce = createPublishWindow({ storage, queue, logger, limits: PUBLISH_LIMITS });
    // A tick's first claim is small, so the first fires are announced soon; the rest of a burst
    // goes in claims of `batchSize`.
    let limit = Math.min(FIRST_CLAIM, settings.batchSize);
    try {
      for (;;) {
        const now = clock.now();
        const skipped: FireSkip[] = [];
        const memo = createDecisionMemo();
        const fireState = reportsState
          ? {
            calendarsVersion: reported.version,
            report: (state: FireState) => {
              if (state.calendars) reported = { version: state.calendars.version, lookup: lookupOf(storedCalendarRegistry(state.calendars.list)) };
              paused = state.paused;
              lookup = reported.lookup;
            },
          }
          : undefined;
        if (fireState) paused = null;
        let unreported = false;
        let created: Execution[] = [];
        try {
          created = await storage.fireDueSchedules({
            now,
            limit,
            newExecutionId: settings.newExecutionId,
            markPublished: true,
            sharedDecision: isSharedDecision,
            onSkipped: (skips) => void skipped.push(...skips),
            ...(fireState ? { fireState } : {}),
            decide: (due) => {
              // Nothing is decided without the pause: a storage that did not report it rolls back.
              const isPaused = paused;
              if (isPaused === null) {
                unreported = true;
                throw new Error('the storage did not report the scheduler pause and calendars (fireDueSchedules fireState)');
              }
              let d;
              try {
                d = memo.decide(due, () => decideFires(due, now, settings, lookup, isPaused));
              } catch (error) {
                // One broken schedule (a calendar deleted under it) must not stop the others: park it.
                logger.error({ err: error, jobId: due.jobId }, 'cannot compute fires; schedule parked until the job is updated');
                events.emit('error', { where: `schedule ${due.jobId}`, error });
                d = { fire: [], skip: [], nextFireAt: null };
              }
              return d;
            },
          });
        } catch (err) {
          if (!unreported) throw err;
        }
        if (unreported) {
          // A storage that does not know `fireState` (its claim undecided, rolled back or the rows
          // left due): read both the old way from now on, and claim again below.
          logger.warn('the storage does not report the scheduler pause and calendars with its claim; reading them before each tick');
          reportsState = false;
          ({ paused, lookup } = await readState());
        }
        // Committed: announce each (before its publish: once published, a worker's
        // `execution.started` may follow at once) and publish it while the next batch is claimed.
        for (const e of created) {
          events.emit('execution.created', { execution: e });
          events.emit('schedule.fired', { jobId: e.jobId, executionId: e.id, scheduledFor: e.scheduledFor ?? e.createdAt });
        }
        await announce.add(created);
        for (const s of skipped) events.emit('schedule.skipped', s);
        if (created.length) logger.debug({ fired: created.length }, 'schedules fired');
        total += created.length;
        // A full batch means more may be due: go again at once.
        if (!unreported && created.length + skipped.length < limit) break;
        limit = settings.batchSize;
      }
    } finally {
      // Also when a claim failed: what was committed is published (or left to the dispatcher).
      await announce.finish();
    }
    return total;
  }

  return {
    tick,
    start() {
      loop.start(async () => void (await tick()));
    },
    stop: () => loop.stop(),
  };
}

const lookupOf = (registry: CalendarRegistry) => (name: string): BusinessCalendar => registry.get(name);
