import { requireCjs } from './cjs.js';
import type * as OtelApi from '@opentelemetry/api';
import type { Context, Span, Tracer, TraceFlags } from '@opentelemetry/api';
import type * as OtelSdk from '@opentelemetry/sdk-trace-node';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { SpanLookup, TraceIds } from './log-correlation.js';
import type { CronSystem, Job } from '@vecron/sdk';
import type { ServerConfig } from '../config/config-schema.js';

/** Returns trace context to store with a new execution (`{ traceparent }`), or `{}` when tracing is off. */
export type TraceContextCarrier = () => { traceparent?: string };

/** Spans per execution and per step. */
export interface Tracing {
  traceContext: TraceContextCarrier;
  /** The span of an execution, or of one step attempt, for log lines (null when not traced here). */
  spanIds: SpanLookup;
  /** Flushes and shuts the exporter down. */
  close(): Promise<void>;
}

// OpenTelemetry is loaded through its CommonJS builds (see requireCjs).
const otel = (): typeof OtelApi => requireCjs<typeof OtelApi>('@opentelemetry/api');
const otelSdk = (): typeof OtelSdk => requireCjs<typeof OtelSdk>('@opentelemetry/sdk-trace-node');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C `traceparent` into a remote parent context. */
export function contextFromTraceparent(tp: unknown): Context {
  const { ROOT_CONTEXT, trace } = otel();
  const m = typeof tp === 'string' ? TRACEPARENT.exec(tp) : null;
  if (!m) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) as TraceFlags, isRemote: true });
}

/** Formats a span as a W3C `traceparent`. */
export function traceparentOf(span: Span): string {
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-${c.traceFlags.toString(16).padStart(2, '0')}`;
}

/** The exporter `[tracing]` asks for; null for `none`. */
export async function exporterFromConfig(config: ServerConfig): Promise<SpanExporter | null> {
  if (config.tracing.exporter === 'console') return new (otelSdk().ConsoleSpanExporter)();
  if (config.tracing.exporter === 'otlp') {
    const { OTLPTraceExporter } = requireCjs<typeof OtlpHttp>('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url: config.tracing.otlp_endpoint }) as unknown as SpanExporter;
  }
  return null;
}

/**
 * Starts spans from vecron events: `vecron.execution` per execution (child of the trigger's span
 * when the trigger carried a `traceparent` in the execution's metadata, so a trace follows the
 * run across the queue and processes) and `vecron.step` per step attempt.
 * With no exporter, nothing is recorded.
 */
export function createTracing(cron: CronSystem, opts: { exporter: SpanExporter | null; serviceName: string; simpleProcessor?: boolean }): Tracing {
  if (!opts.exporter) return { traceContext: () => ({}), spanIds: () => null, close: async () => undefined };
  const { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = otel();
  const { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = otelSdk();
  const provider = new NodeTracerProvider({
    spanProcessors: [opts.simpleProcessor ? new SimpleSpanProcessor(opts.exporter) : new BatchSpanProcessor(opts.exporter)],
  });
  const tracer: Tracer = provider.getTracer('vecron', '0.1.0');
  const executions = new Map<string, Span>();
  const steps = new Map<string, Span>();
  // Ids of every span of a running execution, kept until it finishes: a step's last log lines
  // ("step failed", the retry) come after its span ended.
  const ids = new Map<string, TraceIds>();
  const idsOf = (span: Span): TraceIds => {
    const c = span.spanContext();
    return { trace_id: c.traceId, span_id: c.spanId };
  };
  const jobs = new Map<string, Promise<Job | null>>();
  const jobOf = (id: string): Promise<Job | null> => {
    let p = jobs.get(id);
    if (!p) {
      p = cron.jobs.get(id).catch(() => null);
      jobs.set(id, p);
      setTimeout(() => jobs.delete(id), 60_000).unref();
    }
    return p;
  };
  const offs = [
    cron.on('execution.started', ({ execution: e }) => {
      // A retried or resumed execution starts again: its attempts stay in one span (one trace),
      // which ends when the execution finishes.
      const running = executions.get(e.id);
      if (running) {
        running.addEvent('vecron.execution.restarted', { 'vecron.execution.attempt': e.attempt });
        return;
      }
      const parent = contextFromTraceparent(e.triggerMetadata.traceparent);
      const span = tracer.startSpan('vecron.execution', {
        kind: SpanKind.CONSUMER,
        attributes: { 'vecron.job.id': e.jobId, 'vecron.execution.id': e.id, 'vecron.trigger.source': e.triggerSource, 'vecron.execution.attempt': e.attempt, 'service.name': opts.serviceName },
      }, parent);
      executions.set(e.id, span);
      ids.set(e.id, idsOf(span));
    }),
    cron.on('execution.step.started', (x) => {
      const parent = executions.get(x.executionId);
      const ctx = parent ? trace.setSpan(context.active(), parent) : ROOT_CONTEXT;
      const span = tracer.startSpan(`vecron.step ${x.stepId}`, { attributes: { 'vecron.step.id': x.stepId, 'vecron.step.attempt': x.attempt, 'vecron.execution.id': x.executionId } }, ctx);
      steps.set(`${x.executionId}:${x.stepId}:${x.attempt}`, span);
      ids.set(`${x.executionId}:${x.stepId}:${x.attempt}`, idsOf(span));
      void jobOf(x.jobId).then((job) => {
        const type = job?.definition.steps.find((s) => s.id === x.stepId)?.type;
        if (type) span.setAttribute('vecron.step.type', type);
      });
    }),
    cron.on('execution.step.finished', (x) => {
      const key = `${x.executionId}:${x.stepId}:${x.attempt}`;
      const span = steps.get(key);
      if (!span) return;
      steps.delete(key);
      span.setAttribute('vecron.step.status', x.status);
      if (x.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: x.error?.code ?? 'failed' });
      void jobOf(x.jobId).finally(() => span.end());
    }),
    cron.on('execution.finished', (x) => {
      const span = executions.get(x.executionId);
      if (!span) return;
      executions.delete(x.executionId);
      for (const key of ids.keys()) if (key === x.executionId || key.startsWith(`${x.executionId}:`)) ids.delete(key);
      span.setAttribute('vecron.execution.status', x.status);
      span.setStatus(x.status === 'success' ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: x.error?.code ?? x.status });
      span.end();
    }),
  ];
  return {
    spanIds(b) {
      const step = b.stepId !== undefined ? ids.get(`${String(b.executionId)}:${String(b.stepId)}:${String(b.attempt)}`) : undefined;
      return step ?? ids.get(String(b.executionId)) ?? null;
    },
    traceContext() {
      // A short span for the trigger itself; the execution span becomes its child.
      const span = tracer.startSpan('vecron.trigger', { kind: SpanKind.PRODUCER, attributes: { 'service.name': opts.serviceName } }, context.active());
      const traceparent = traceparentOf(span);
      span.end();
      return { traceparent };
    },
    async close() {
      for (const off of offs) off();
      for (const s of [...steps.values(), ...executions.values()]) s.end();
      await provider.forceFlush().catch(() => undefined);
      await provider.shutdown().catch(() => undefined);
    },
  };
}
