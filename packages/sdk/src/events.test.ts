import { describe, expect, it } from 'vitest';
import { createEventBus } from './events.js';

describe('event bus', () => {
  it('an error event with no listener is dropped, never thrown (a background loop reports, it does not crash)', () => {
    const bus = createEventBus(() => undefined);
    expect(() => bus.emit('error', { where: 'scheduler', error: new Error('db down') })).not.toThrow();
    const seen: string[] = [];
    const off = bus.on('error', (e) => seen.push(e.where));
    bus.emit('error', { where: 'dispatcher', error: new Error('x') });
    off();
    bus.emit('error', { where: 'again', error: new Error('y') });
    expect(seen).toEqual(['dispatcher']);
  });

  it('a listener that throws does not break the emitter or other listeners', () => {
    const problems: unknown[] = [];
    const bus = createEventBus((err) => problems.push(err));
    const got: string[] = [];
    bus.on('schedule.fired', () => {
      throw new Error('bad listener');
    });
    bus.on('schedule.fired', (e) => got.push(e.jobId));
    bus.emit('schedule.fired', { jobId: 'j', executionId: 'e', scheduledFor: new Date() });
    expect(got).toEqual(['j']);
    expect(problems).toHaveLength(1);
  });
});
