/**
 * One run of one scenario, in its own process (so RSS, CPU and crashes stay apart):
 * `node --conditions=vecron-source --import tsx bench/scenario.ts <scenario> '<json args>'`.
 * Prints one line `RESULT {json}` and exits.
 */
// Each scenario's module is imported on demand, so a run loads only its own system's code (the
// start-up scenario measures resident memory, which every unused client library would inflate).
import type { ThroughputArgs } from './scenarios/throughput.js';
import type { LatencyArgs } from './scenarios/latency.js';
import type { ScheduleArgs } from './scenarios/schedules.js';
import type { RecoveryArgs } from './scenarios/recovery.js';
import type { CeilingArgs } from './scenarios/ceilings.js';
import type { StartupArgs } from './scenarios/startup.js';

const [name, raw] = process.argv.slice(2);
const args = JSON.parse(raw ?? '{}') as Record<string, unknown>;

const scenarios: Record<string, (a: never) => Promise<unknown>> = {
  throughput: async (a: ThroughputArgs) => (await import('./scenarios/throughput.js')).throughput(a),
  'throughput-worker': async (a: ThroughputArgs) => (await import('./scenarios/throughput.js')).throughputWorker(a),
  latency: async (a: LatencyArgs) => (await import('./scenarios/latency.js')).latency(a),
  lateness: async (a: ScheduleArgs) => (await import('./scenarios/schedules.js')).lateness(a),
  'tick-cost': async (a: ScheduleArgs) => (await import('./scenarios/schedules.js')).tickCost(a),
  memory: async (a: ScheduleArgs) => (await import('./scenarios/schedules.js')).memory(a),
  recovery: async (a: RecoveryArgs) => (await import('./scenarios/recovery.js')).recovery(a),
  'recovery-worker': async (a: RecoveryArgs) => (await import('./scenarios/recovery.js')).recoveryWorker(a),
  ceilings: async (a: CeilingArgs) => (await import('./scenarios/ceilings.js')).ceilings(a),
  startup: async (a: StartupArgs) => (await import('./scenarios/startup.js')).startup(a),
};

const fn = scenarios[name ?? ''];
if (!fn) {
  process.stderr.write(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}\n`);
  process.exit(2);
}
try {
  const result = await fn(args as never);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
