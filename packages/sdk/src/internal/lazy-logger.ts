import type { Logger } from 'pino';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = (): void => undefined;

/**
 * `parent.child(bindings)`, made on first use: a call at a level `parent` has disabled is a no-op
 * that makes nothing, anything else makes the child once and goes to it. pino serialises a
 * child's bindings when it is made; the worker makes one per execution and one per step, and with
 * the usual levels most of them never write a line (about 8 µs of client CPU per execution).
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = (): Logger => (child ??= parent.child(bindings));
  return new Proxy({} as Logger, {
    get(_, prop) {
      if (child === undefined && typeof prop === 'string') {
        if (LEVELS.has(prop) && !parent.isLevelEnabled(prop)) return noop;
        // A child has its parent's level: asking does not make it (nor a lazy parent).
        if (prop === 'isLevelEnabled') return (level: string) => parent.isLevelEnabled(level);
      }
      const target = real();
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(_, prop, value) {
      return Reflect.set(real(), prop, value);
    },
    has(_, prop) {
      return Reflect.has(real(), prop);
    },
  });
}
