import type { Logger } from 'pino';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = (): void => undefined;

/** What a lazy child knows, kept on its proxy's target (under symbols: `Object.keys` shows none). */
const PARENT = Symbol('parent');
const BINDINGS = Symbol('bindings');
const CHILD = Symbol('child');
interface LazyState {
  [PARENT]: Logger;
  [BINDINGS]: Record<string, unknown>;
  [CHILD]: Logger | undefined;
}

const real = (s: LazyState): Logger => (s[CHILD] ??= s[PARENT].child(s[BINDINGS]));

/** One handler for every lazy child: no closure is made per child. */
const handler: ProxyHandler<LazyState> = {
  get(s, prop) {
    if (s[CHILD] === undefined && typeof prop === 'string') {
      if (LEVELS.has(prop) && !s[PARENT].isLevelEnabled(prop)) return noop;
      // A child has its parent's level: asking does not make it (nor a lazy parent).
      if (prop === 'isLevelEnabled') return (level: string) => s[PARENT].isLevelEnabled(level);
    }
    const target = real(s);
    const value = Reflect.get(target, prop, target) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  },
  set(s, prop, value) {
    return Reflect.set(real(s), prop, value);
  },
  has(s, prop) {
    return Reflect.has(real(s), prop);
  },
};

/**
 * `parent.child(bindings)`, made on first use: a call at a level `parent` has disabled is a no-op
 * that makes nothing, anything else makes the child once and goes to it. pino serialises a
 * child's bindings when it is made; the worker makes one per execution and one per step, and with
 * the usual levels most of them never write a line (about 8 µs of client CPU per execution).
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  const state: LazyState = { [PARENT]: parent, [BINDINGS]: bindings, [CHILD]: undefined };
  return new Proxy(state, handler) as unknown as Logger;
}
