import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testServers } from '@vecron/test-servers';
import { freePort } from '@vecron/test-servers/provision';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { podman, until } from './podman.js';

/**
 * `podman kube play` of the rendered dev overlay, as far as podman allows on this machine: its
 * api Deployment with the overlay's ConfigMap and Secret, security context, read-only root,
 * volumes and probes, runs and answers /health and /ready. What is changed first, and why: the
 * backing services' images (postgres, nats, redis) cannot be pulled here, so the ConfigMap and
 * Secret point at the run's test servers instead; there is no cluster network (and no bridge
 * networking for podman here), so the pod uses the host's, with free ports and no port mappings;
 * the image is the one this run built.
 */

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const image = inject('vecronImage');
const tag = randomUUID().slice(0, 8);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-kube-play-'));
const file = path.join(tmp, 'dev.yaml');
let secretName = '';

afterAll(async () => {
  await podman(['kube', 'down', file]).catch(() => undefined);
  if (secretName) await podman(['secret', 'rm', secretName]).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects as parsed YAML
type K8s = any;

describe('podman kube play', () => {
  it('runs the dev overlay\'s api pod far enough to answer /health and /ready', async () => {
    const { stdout } = await run('kubectl', ['kustomize', path.resolve(here, '../kubernetes/overlays/dev')], { maxBuffer: 16 * 1024 * 1024 });
    const objs = parseAllDocuments(stdout).map((d) => d.toJS() as K8s);
    const config = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('vecron-config'));
    const secret = objs.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('vecron-secrets'));
    const api = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'vecron-api');
    const s = testServers();
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    Object.assign(config.data, {
      VECRON__QUEUE__NATS_SERVERS: s.nats, VECRON__QUEUE__STREAM: `KP_${tag}`, VECRON__QUEUE__SUBJECT: `kp-${tag}.work`, VECRON__QUEUE__CONSUMER: `kp-${tag}`, VECRON__QUEUE__EVENTS_SUBJECT: `kp-${tag}.events`,
      VECRON__COORDINATION__REDIS_URL: s.redis, VECRON__COORDINATION__KEY_PREFIX: `kp-${tag}:`, VECRON__STORAGE__SCHEMA: `vecron_kp_${tag}`,
      VECRON__API__PORT: String(apiPort), VECRON__METRICS__PORT: String(metricsPort),
    });
    const b64 = (v: string): string => Buffer.from(v).toString('base64');
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    secret.data = {
      ...secret.data,
      VECRON__STORAGE__DATABASE_URL: b64(s.postgres),
      VECRON__SECURITY__ENCRYPTION_KEY: b64(randomBytes(32).toString('hex')),
      VECRON__AUTH__KEYS: b64(JSON.stringify([{ kid: `kp-${tag}`, private_key_pem: pem }])),
    };
    secretName = secret.metadata.name;
    await podman(['secret', 'rm', secretName]).catch(() => undefined);
    const pod = api.spec.template.spec;
    pod.hostNetwork = true;
    pod.containers[0].image = image.name;
    pod.containers[0].imagePullPolicy = 'Never';
    // On the host's network the container's ports are the host's: no port mappings, probes on the chosen port.
    delete pod.containers[0].ports;
    for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) pod.containers[0][p].httpGet.port = metricsPort;
    api.spec.replicas = 1;
    // podman 4.3 stores a Secret of the YAML as a podman secret in YAML, then reads it back as a
    // JSON map of base64 values and fails; so the overlay's Secret data goes in first, in that form.
    const secretFile = path.join(tmp, 'secret.json');
    writeFileSync(secretFile, JSON.stringify(Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s/g, '')]))));
    await podman(['secret', 'create', secretName, secretFile]);
    writeFileSync(file, [config, api].map((o) => JSON.stringify(o)).join('\n---\n'));
    // kube play takes no --ulimit, and the default ulimits are refused on this host: set them in a
    // containers.conf of this test.
    const conf = path.join(tmp, 'containers.conf');
    writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=10000:10000", "nproc=4096:4096"]\n');
    const out = await podman(['kube', 'play', file], { timeoutMs: 180_000, env: { ...process.env, CONTAINERS_CONF: conf } });
    expect(out).toMatch(/Pod:\s*\n\S+/);
    const health = await until(() => fetch(`http://127.0.0.1:${metricsPort}/health`).then((r) => (r.status === 200 ? r.json() : null), () => null), 120_000, 'the api pod /health');
    expect(health).toMatchObject({ status: 'ok' });
    await until(() => fetch(`http://127.0.0.1:${metricsPort}/ready`).then((r) => r.status === 200, () => false), 60_000, 'the api pod /ready');
    // The API listener opens after the metrics one.
    await until(() => fetch(`http://127.0.0.1:${apiPort}/health`).then((r) => r.status === 200, () => false), 60_000, 'the api pod\'s API');
    const logs = await podman(['logs', `${api.metadata.name}-pod-0-vecron`]).catch((e: Error) => e.message);
    expect(logs).toContain('vecron started');
  });
});
