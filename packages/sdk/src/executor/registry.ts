import { UnknownStepTypeError } from '../errors/errors.js';
import type { AnyExecutor } from './executor.js';

/** The executors a cron system knows, by step type. */
export interface ExecutorRegistry {
  get(type: string): AnyExecutor;
  has(type: string): boolean;
  types(): string[];
  closeAll(): Promise<void>;
}

/** Builds the registry; two executors for one type is a configuration error. */
export function createExecutorRegistry(executors: AnyExecutor[]): ExecutorRegistry {
  const byType = new Map<string, AnyExecutor>();
  for (const ex of executors) {
    if (byType.has(ex.type)) throw new TypeError(`two executors registered for step type "${ex.type}"`);
    byType.set(ex.type, ex);
  }
  return {
    get(type) {
      const ex = byType.get(type);
      if (!ex) throw new UnknownStepTypeError(type, [...byType.keys()].sort());
      return ex;
    },
    has: (type) => byType.has(type),
    types: () => [...byType.keys()].sort(),
    async closeAll() {
      const results = await Promise.allSettled([...byType.values()].map((ex) => ex.close?.()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
