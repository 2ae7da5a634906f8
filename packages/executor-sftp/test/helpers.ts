import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createFileArea } from '@vecron/sdk';
import type { StepContext } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';

/** A step context whose file area is a fresh folder under `base` (removed with `base`). */
export async function contextIn(base: string, overrides: Partial<StepContext> = {}): Promise<StepContext> {
  const root = await mkdtemp(path.join(base, 'area-'));
  return createTestStepContext({ files: createFileArea(root), ...overrides });
}

/** Every file below `root`, as sorted relative paths. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** SHA-256 of a file, streamed. */
export async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
