import { describe, expect, it } from 'vitest';
import type { DueSchedule, FireDecision, FireSpec } from '../storage/port.js';
import { createDecisionMemo, isSharedDecision } from './decision-memo.js';

const at = (ms: number): Date => new Date(Date.UTC(2026, 0, 1) + ms);
const cron: FireSpec = { schedule: { type: 'cron', expression: '0 0 0 * * ?' }, misfire_policy: 'fire_once', triggers: { scheduled: true, manual: true }, allow_concurrent: true } as FireSpec;
const rate: FireSpec = { ...cron, schedule: { type: 'fixed_rate', interval_seconds: 60 } } as FireSpec;
const due = (spec: FireSpec, extra: Partial<DueSchedule> = {}): DueSchedule => ({
  jobId: `job-${Math.random()}`, definition: spec, enabled: true, nextFireAt: at(0), lastFireAt: null, lastFinishedAt: null,
  anchorAt: at(-1_000), pendingCount: 0, runningCount: 0, ...extra,
});

describe('decision memo', () => {
  const counting = () => {
    let calls = 0;
    return { compute: (): FireDecision => ({ fire: [at(calls++)], skip: [], nextFireAt: at(86_400_000) }), calls: () => calls };
  };

  it('decides once for cron rows with the same spec object and inputs, whatever their anchors', () => {
    const memo = createDecisionMemo();
    const c = counting();
    const a = memo.decide(due(cron), c.compute);
    const b = memo.decide(due(cron, { anchorAt: at(-99_000), lastFinishedAt: at(-5) }), c.compute);
    expect(c.calls()).toBe(1);
    expect(b).toBe(a);
  });

  it('decides again when an input the decision reads differs', () => {
    const memo = createDecisionMemo();
    const c = counting();
    memo.decide(due(cron), c.compute);
    memo.decide(due(cron, { nextFireAt: at(1_000) }), c.compute);
    memo.decide(due(cron, { enabled: false }), c.compute);
    memo.decide(due(cron, { pendingCount: 1 }), c.compute);
    memo.decide(due(cron, { runningCount: 1 }), c.compute);
    memo.decide(due({ ...cron }), c.compute); // an equal spec in another object: not known to be equal
    expect(c.calls()).toBe(6);
  });

  it('keys interval schedules on their anchor and last finish too', () => {
    const memo = createDecisionMemo();
    const c = counting();
    memo.decide(due(rate), c.compute);
    memo.decide(due(rate), c.compute);
    memo.decide(due(rate, { anchorAt: at(-2_000) }), c.compute);
    memo.decide(due(rate, { lastFinishedAt: at(-10) }), c.compute);
    expect(c.calls()).toBe(3);
  });

  it('never shares the decision of a schedule with jitter (the delay depends on the job)', () => {
    const memo = createDecisionMemo();
    const c = counting();
    const jittered = { ...cron, jitter_seconds: 30 } as FireSpec;
    memo.decide(due(jittered), c.compute);
    memo.decide(due(jittered), c.compute);
    expect(c.calls()).toBe(2);
  });

  it('shares the decision of cron schedules without jitter whose overlap policy never reads open executions', () => {
    const cron = { type: 'cron', expression: '0 0 * * *' } as FireSpec['schedule'];
    const spec = (extra: Partial<FireSpec>): FireSpec => ({ schedule: cron, triggers: { scheduled: true }, allow_concurrent: true, ...extra }) as FireSpec;
    expect(isSharedDecision(spec({}))).toBe(true);
    expect(isSharedDecision(spec({ overlap_policy: 'queue_all' }))).toBe(true);
    for (const overlap_policy of ['forbid', 'queue_one', 'cancel_other'] as const) expect(isSharedDecision(spec({ overlap_policy }))).toBe(false);
    expect(isSharedDecision(spec({ allow_concurrent: false }))).toBe(false);
    expect(isSharedDecision(spec({ jitter_seconds: 5 }))).toBe(false);
    expect(isSharedDecision(spec({ schedule: { type: 'fixed_delay', delay_seconds: 60 } }))).toBe(false);
    expect(isSharedDecision(spec({ schedule: undefined }))).toBe(false);
  });
});
