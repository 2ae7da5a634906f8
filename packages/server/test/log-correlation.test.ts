import { Writable } from 'node:stream';
import type { InMemorySpanExporter as InMemorySpanExporterType } from '@opentelemetry/sdk-trace-node';
import type * as OtelSdk from '@opentelemetry/sdk-trace-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCjs } from '../src/observability/cjs.js';
import { createLogCorrelation } from '../src/observability/log-correlation.js';
import type { RunningServer } from '../src/runtime/start-server.js';
import { startTestServer } from './helpers.js';

interface Line { msg: string; executionId?: string; stepId?: string; trace_id?: string; span_id?: string }

let server: RunningServer;
let exporter: InMemorySpanExporterType;
const lines: Line[] = [];

beforeAll(async () => {
  const { InMemorySpanExporter } = requireCjs<typeof OtelSdk>('@opentelemetry/sdk-trace-node');
  exporter = new InMemorySpanExporter();
  const logCorrelation = createLogCorrelation();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const logger = pino({ level: 'debug', mixin: logCorrelation.mixin }, sink);
  server = await startTestServer({}, { spanExporter: exporter, logger, logCorrelation });
});
afterAll(async () => {
  await server?.stop();
});

describe('logs and traces join', () => {
  it('every line logged for an execution carries the trace_id of its execution span, and a step\'s lines the span_id of that step attempt', async () => {
    const job = await server.cron.jobs.create({ name: 'traced-logs', max_retries: 1, steps: [{ id: 'flaky', type: 'transient', config: {} }] });
    const { executionId } = await server.cron.trigger(job.id);
    await server.cron.executions.wait(executionId, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 100));
    const spans = exporter.getFinishedSpans().filter((s) => s.attributes['vecron.execution.id'] === executionId);
    const exec = spans.find((s) => s.name === 'vecron.execution')!;
    expect(exec).toBeDefined();
    const mine = lines.filter((l) => l.executionId === executionId);
    const stepLines = mine.filter((l) => l.stepId === 'flaky');
    expect(stepLines.length).toBeGreaterThanOrEqual(2);
    for (const l of mine) expect(l.trace_id, l.msg).toBe(exec.spanContext().traceId);
    const stepSpanIds = new Set(spans.filter((s) => s.name === 'vecron.step flaky').map((s) => s.spanContext().spanId));
    expect(stepSpanIds.size).toBe(2);
    for (const l of stepLines) expect(stepSpanIds.has(l.span_id!), l.msg).toBe(true);
    // Each attempt's lines name that attempt's own span.
    expect(new Set(stepLines.map((l) => l.span_id)).size).toBe(2);
    // Lines of no execution carry no ids.
    expect(lines.filter((l) => !l.executionId).every((l) => l.trace_id === undefined)).toBe(true);
  });
});
