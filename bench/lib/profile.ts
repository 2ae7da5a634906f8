/** Summary of a V8 `.cpuprofile`: self time by function and by area (vecron, pg driver, zod, NATS, …). */
import { readFileSync } from 'node:fs';

interface Node { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: Node[]; samples?: number[]; timeDeltas?: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  totalMs: number;
  /** Share of non-idle time by area. */
  areas: Array<{ area: string; ms: number; pct: number }>;
  /** Hottest functions by self time (idle excluded). */
  functions: Array<{ fn: string; ms: number; pct: number }>;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : 'native';
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/packages/sdk/src/')) return `vecron ${url.split('/packages/sdk/src/')[1]!.split('/')[0]}`;
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/bench/')) return 'bench harness';
  return 'other';
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i += 1) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000);
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    busy += ms;
    const short = url ? `${url.replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?|packages\/sdk\/src\/|bench\/)/, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${short ? ` ${short}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
  }
  const pct = (ms: number): number => Math.round((ms / busy) * 1000) / 10;
  return {
    totalMs: Math.round(busy),
    areas: [...areas].sort((x, y) => y[1] - x[1]).slice(0, 12).map(([a, ms]) => ({ area: a, ms: Math.round(ms), pct: pct(ms) })),
    functions: [...fns].sort((x, y) => y[1] - x[1]).slice(0, top).map(([f, ms]) => ({ fn: f, ms: Math.round(ms), pct: pct(ms) })),
  };
}
