/**
 * vitest globalSetup of the `deploy` project: builds the image ONCE per run (the container tests
 * share it): the local stand-in of the base image when the real one cannot be pulled
 * (deploy/image/build-base-image.sh), then the unmodified Dockerfile with podman.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { IMAGE, PODMAN_GLOBAL, PODMAN_LIMITS, podman } from './podman.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = 'docker.io/library/node:20-bookworm-slim';

declare module 'vitest' {
  interface ProvidedContext {
    vecronImage: { name: string; buildMs: number; baseMs: number; sizeBytes: number };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  for (const tool of ['podman', 'runc']) {
    await run('sh', ['-c', `command -v ${tool}`]).catch(() => {
      throw new Error(`the deploy tests need ${tool}: apt-get install podman buildah runc podman-compose kubernetes-client (bash .ci/run installs them)`);
    });
  }
  let baseMs = 0;
  const haveBase = await podman(['image', 'exists', BASE]).then(() => true, () => false);
  if (!haveBase) {
    const t0 = Date.now();
    await run('bash', [path.join(repo, 'deploy/image/build-base-image.sh'), BASE], { env: { ...process.env, PODMAN_OPTS: PODMAN_GLOBAL.join(' ') }, maxBuffer: 16 * 1024 * 1024 });
    baseMs = Date.now() - t0;
  }
  const t0 = Date.now();
  // VECRON_DEPLOY_REUSE_IMAGE=1 keeps an image built by an earlier run (while working on the tests).
  const reuse = process.env.VECRON_DEPLOY_REUSE_IMAGE === '1' && (await podman(['image', 'exists', IMAGE]).then(() => true, () => false));
  if (!reuse) await build();
  const buildMs = reuse ? 0 : Date.now() - t0;
  const sizeBytes = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).trim());
  process.stderr.write(`deploy: image ${IMAGE} ${reuse ? 'reused' : `built in ${buildMs} ms`} (base ${baseMs ? `built in ${baseMs} ms` : 'present'}), ${(sizeBytes / 1e6).toFixed(0)} MB\n`);
  project.provide('vecronImage', { name: IMAGE, buildMs, baseMs, sizeBytes });
}

async function build(): Promise<void> {
  // --network=host: the build stage installs packages from the npm registry; --pull=never: the
  // base must be the local one here (a pull would fail on this machine without a registry);
  // --layers=false: no intermediate images (each is a full copy with the vfs driver).
  await podman(['build', '--format', 'docker', '--layers=false', '--network=host', '--pull=never', ...PODMAN_LIMITS, '--build-arg', `REVISION=${(await run('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim()}`, '-t', IMAGE, '-f', path.join(repo, 'Dockerfile'), repo], { timeoutMs: 900_000 });
}
