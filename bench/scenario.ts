/**
 * One run of one scenario, in its own process (so RSS, CPU and crashes stay apart):
 * `node --conditions=vecron-source --import tsx bench/scenario.ts <scenario> '<json args>'`.
 * Prints one line `RESULT {json}` and exits.
 */
import { throughput } from './scenarios/throughput.js';
import type { ThroughputArgs } from './scenarios/throughput.js';
import { latency } from './scenarios/latency.js';
import type { LatencyArgs } from './scenarios/latency.js';
import { lateness, memory, tickCost } from './scenarios/schedules.js';
import type { ScheduleArgs } from './scenarios/schedules.js';
import { recovery, recoveryWorker } from './scenarios/recovery.js';
import type { RecoveryArgs } from './scenarios/recovery.js';
import { ceilings } from './scenarios/ceilings.js';
import type { CeilingArgs } from './scenarios/ceilings.js';

const [name, raw] = process.argv.slice(2);
const args = JSON.parse(raw ?? '{}') as Record<string, unknown>;

const scenarios: Record<string, (a: never) => Promise<unknown>> = {
  throughput: (a: ThroughputArgs) => throughput(a),
  latency: (a: LatencyArgs) => latency(a),
  lateness: (a: ScheduleArgs) => lateness(a),
  'tick-cost': (a: ScheduleArgs) => tickCost(a),
  memory: (a: ScheduleArgs) => memory(a),
  recovery: (a: RecoveryArgs) => recovery(a),
  'recovery-worker': (a: RecoveryArgs) => recoveryWorker(a),
  ceilings: (a: CeilingArgs) => ceilings(a),
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
