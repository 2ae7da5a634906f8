import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { QueueMessage } from '../queue/port.js';
import type { ClaimAndStartResult, Storage } from '../storage/port.js';
import type { VariableResolver } from '../variables/variables.js';
import { createMessageRunner } from './claim.js';
import { ExecutionAbort } from './execution-abort.js';
import type { WorkerRuntime } from './runtime.js';

const JOB_ID = '0190b3c4-0000-7000-8000-000000000001';
const EXECUTION_ID = '0190b3c4-0000-7000-8000-000000000002';

/** A runtime whose storage and variables only record what was asked of them, in order; the claim finds nothing to claim. */
function recordingRuntime(steps: unknown[]): { rt: WorkerRuntime; calls: string[] } {
  const calls: string[] = [];
  const now = new Date();
  const job: Job = { id: JOB_ID, name: 'j', enabled: true, version: 1, definition: parseJobDefinition({ name: 'j', steps }), createdAt: now, updatedAt: now };
  const missed = async (what: string): Promise<ClaimAndStartResult> => (calls.push(what), { claimed: false, reason: 'not_claimable', execution: null, step: null });
  const storage = {
    getJob: async () => job,
    claimAndStartStep: () => missed('claim with the step start'),
    claimExecution: () => missed('claim'),
  } as unknown as Storage;
  const variables: VariableResolver = {
    resolve: async () => (calls.push('variables'), { values: {}, secrets: [] }),
  };
  const rt = {
    storage, variables, queue: {}, executors: {}, events: { emit: () => undefined }, clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }), stepLogs: {}, running: new Map(), shutdown: new ExecutionAbort(),
    settings: { workerId: 'w', concurrency: 1, leaseMs: 30_000, backoff: {}, filesDir: '/tmp', defaultTimeZone: 'UTC', overlapRetryMs: 1_000 },
  } as unknown as WorkerRuntime;
  return { rt, calls };
}

function message(calls: string[]): QueueMessage {
  return {
    executionId: EXECUTION_ID, jobId: JOB_ID, deliveryCount: 1,
    ack: async () => void calls.push('ack'),
    nak: async () => void calls.push('nak'),
    inProgress: async () => undefined,
  };
}

describe('the message runner', () => {
  // Both reads are group-committed and leave at the end of the tick in the order they were asked
  // for: the claim, which the step's start waits for, goes first.
  it('asks for the claim with the first step before the variables', async () => {
    const { rt, calls } = recordingRuntime([{ id: 's', type: 'noop' }]);
    await createMessageRunner(rt)(message(calls));
    expect(calls).toEqual(['claim with the step start', 'variables', 'ack']);
  });

  it('asks for a plain claim before the variables when the first step has a condition', async () => {
    const { rt, calls } = recordingRuntime([{ id: 's', type: 'noop', condition: 'true' }]);
    await createMessageRunner(rt)(message(calls));
    expect(calls).toEqual(['claim', 'variables', 'ack']);
  });
});
