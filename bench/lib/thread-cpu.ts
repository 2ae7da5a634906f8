/**
 * CPU of this process split by thread (`/proc/self/task/<tid>/schedstat`, nanoseconds): the main
 * thread (JavaScript, the event loop) apart from the others (V8's compiler and GC helpers, libuv's
 * pool), which `process.cpuUsage` adds together; and the time V8 spent in GC pauses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';

/** CPU ns of the main thread and of all other threads of this process so far (Linux; zeros elsewhere). */
export function threadCpuNs(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return { main: 0, others: 0 };
  }
  for (const tid of tids) {
    let ns: number;
    try {
      ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      continue; // the thread ended
    }
    if (Number(tid) === process.pid) main += ns;
    else others += ns;
  }
  return { main, others };
}

/** A meter of one window: main-thread and other-thread CPU ms, and V8's GC pauses (count, ms) that started in it. */
export function threadMeter() {
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => void gcs.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  let t0 = threadCpuNs();
  let w0 = 0;
  return {
    begin(): void {
      t0 = threadCpuNs();
      w0 = performance.now();
    },
    /** The window's figures; GC entries arrive after the pause, so this waits one turn of the event loop. */
    async end(): Promise<{ mainCpuMs: number; otherThreadsCpuMs: number; gcs: number; gcMs: number }> {
      const t1 = threadCpuNs();
      const w1 = performance.now();
      await new Promise<void>((r) => setImmediate(r));
      const mine = gcs.filter((g) => g.startTime >= w0 && g.startTime <= w1);
      return {
        mainCpuMs: (t1.main - t0.main) / 1e6, otherThreadsCpuMs: (t1.others - t0.others) / 1e6,
        gcs: mine.length, gcMs: mine.reduce((s, g) => s + g.duration, 0),
      };
    },
    close(): void {
      observer.disconnect();
    },
  };
}
