import type { ServerEvent } from './event-hub.js';

/** Options of {@link createExecutionOrder}. */
export interface ExecutionOrderOptions {
  /** How long later events of an execution wait for its `execution.created`, in ms. @default 2000 */
  holdMs?: number;
  /** Executions remembered as created (oldest forgotten first). @default 20000 */
  maxTracked?: number;
}

/** Orders execution events before they reach listeners. */
export interface ExecutionOrder {
  push(e: ServerEvent): void;
  /** Delivers everything held and stops the timers. */
  close(): void;
}

/**
 * Keeps each execution's events in lifecycle order for SSE clients. vecron emits
 * `execution.created` after the queue publish, and in distributed mode the events of one
 * execution come from different processes (the api or scheduler that created it, the worker that
 * runs it), so `execution.started` can arrive first. Events of an execution whose `created` has
 * not been seen are held until it arrives or `holdMs` passes (an execution created before this
 * process started never shows its `created`); a `created` that arrives after that is stale and
 * dropped. Other events pass straight through.
 */
export function createExecutionOrder(deliver: (e: ServerEvent) => void, options: ExecutionOrderOptions = {}): ExecutionOrder {
  const holdMs = options.holdMs ?? 2_000;
  const maxTracked = options.maxTracked ?? 20_000;
  const created = new Set<string>();
  const held = new Map<string, { events: ServerEvent[]; timer: NodeJS.Timeout }>();

  const markCreated = (id: string): void => {
    created.add(id);
    if (created.size > maxTracked) created.delete(created.values().next().value!);
  };
  const release = (id: string): void => {
    const h = held.get(id);
    if (!h) return;
    held.delete(id);
    clearTimeout(h.timer);
    for (const e of h.events) deliver(e);
  };

  return {
    push(e) {
      const id = e.execution_id;
      if (!id || !e.type.startsWith('execution.')) return deliver(e);
      if (e.type === 'execution.created') {
        if (created.has(id)) return; // already released without it: stale
        markCreated(id);
        deliver(e);
        return release(id);
      }
      if (created.has(id)) return deliver(e);
      const h = held.get(id);
      if (h) return void h.events.push(e);
      const timer = setTimeout(() => {
        markCreated(id);
        release(id);
      }, holdMs);
      timer.unref();
      held.set(id, { events: [e], timer });
    },
    close() {
      for (const id of [...held.keys()]) release(id);
    },
  };
}
