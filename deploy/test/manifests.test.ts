import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/**
 * The Kubernetes overlays render with `kubectl kustomize` and every object validates offline
 * against the Kubernetes API schemas (kubernetes-models, generated from the Kubernetes OpenAPI
 * spec); the properties the deployment relies on are checked by name. The Compose file passes
 * `podman-compose config`; Prometheus's config and rules pass `promtool check`.
 */

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const deploy = path.resolve(here, '..');
const OVERLAYS = ['dev', 'prod'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects as parsed YAML
type K8s = any;

async function render(overlay: string): Promise<K8s[]> {
  const { stdout } = await run('kubectl', ['kustomize', path.join(deploy, 'kubernetes/overlays', overlay)], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((d) => d.toJS()).filter(Boolean);
}

/** The kubernetes-models class of an object: `apps/v1` + `Deployment` → kubernetes-models/apps/v1/Deployment. */
async function modelOf(o: K8s): Promise<new (data: K8s) => { validate(): void }> {
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', o.apiVersion];
  const mod = (await import(`kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`)) as Record<string, new (data: K8s) => { validate(): void }>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  return Model;
}

const vecronPods = (objs: K8s[]): Array<{ name: string; spec: K8s }> =>
  objs.filter((o) => (o.kind === 'Deployment' || o.kind === 'Job') && o.spec.template.spec.containers.some((c: K8s) => String(c.image).includes('vecron')))
    .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));

describe.each(OVERLAYS)('kustomize overlay %s', (overlay) => {
  it('renders, and every object validates against the Kubernetes schemas', async () => {
    const objs = await render(overlay);
    expect(objs.length).toBeGreaterThan(10);
    const errors: string[] = [];
    for (const o of objs) {
      // kustomize wraps long Secret values in block scalars; Kubernetes' base64 decoder (Go's)
      // ignores the newlines, the schema's "byte" format does not: compare them without.
      if (o.kind === 'Secret') for (const k of Object.keys(o.data ?? {})) o.data[k] = String(o.data[k]).replace(/\n/g, '');
      const Model = await modelOf(o);
      try {
        new Model(o).validate();
      } catch (err) {
        errors.push(`${o.kind}/${o.metadata?.name}: ${(err as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it('has every piece a deployment needs: roles, migration Job, config, Services, PDBs, worker HPA, NetworkPolicies', async () => {
    const objs = await render(overlay);
    const names = new Set(objs.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`));
    for (const n of ['Deployment/vecron-api', 'Deployment/vecron-scheduler', 'Deployment/vecron-worker', 'Job/vecron-migrate', 'ConfigMap/vecron-config',
      'Service/vecron-api', 'PodDisruptionBudget/vecron-api', 'PodDisruptionBudget/vecron-scheduler', 'PodDisruptionBudget/vecron-worker',
      'HorizontalPodAutoscaler/vecron-worker', 'NetworkPolicy/vecron-ingress', 'NetworkPolicy/vecron-egress', 'ServiceAccount/vecron']) {
      expect(names.has(n), n).toBe(true);
    }
    if (overlay === 'dev') expect(names.has('Secret/vecron-secrets')).toBe(true);
    // prod takes its Secret from outside (never generated from a file in the repository).
    if (overlay === 'prod') expect(objs.some((o) => o.kind === 'Secret')).toBe(false);
    const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'vecron-worker' });
    const deployments = objs.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('vecron-') && o.spec.template.spec.containers[0].image.includes('vecron'));
    for (const d of deployments) {
      const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === d.metadata.name);
      expect(pdb.spec.selector.matchLabels, d.metadata.name).toEqual(d.spec.selector.matchLabels);
    }
  });

  it('runs vecron non-root, read-only, without capabilities; probes /health and /ready; grace covers worker.shutdown_grace_ms', async () => {
    const objs = await render(overlay);
    const config = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('vecron-config')).data;
    const graceMs = Number(config.VECRON__WORKER__SHUTDOWN_GRACE_MS);
    expect(graceMs).toBeGreaterThan(0);
    const pods = vecronPods(objs);
    expect(pods.length).toBe(4);
    for (const { name, spec } of pods) {
      expect(spec.securityContext.runAsNonRoot, name).toBe(true);
      expect(spec.securityContext.runAsUser, name).toBeGreaterThan(0);
      expect(spec.automountServiceAccountToken, name).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext, name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.requests && c.resources.limits, name).toBeTruthy();
        expect(c.envFrom.map((e: K8s) => e.configMapRef?.name ?? e.secretRef?.name).map((n: string) => n.replace(/-[a-z0-9]{10}$/, '')), name).toEqual(['vecron-config', 'vecron-secrets']);
        if (name.startsWith('Job/')) continue;
        expect(c.livenessProbe.httpGet.path, name).toBe('/health');
        expect(c.readinessProbe.httpGet.path, name).toBe('/ready');
        expect(c.startupProbe.httpGet.path, name).toBe('/health');
      }
      if (name.startsWith('Deployment/')) expect(spec.terminationGracePeriodSeconds * 1000, name).toBeGreaterThanOrEqual(graceMs + 5_000);
    }
  });
});

describe('compose', () => {
  // Debian's podman-compose (1.0.3) has no `config` command, ignores profiles and does not wait for
  // health conditions: it is used to parse the file and order the start (a dry run with a podman
  // that does nothing); the conditions are checked on the parsed file.
  it('podman-compose parses it and starts backing services, then migrate, then the roles', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-compose-'));
    try {
      cpSync(path.join(deploy, 'compose'), dir, { recursive: true });
      cpSync(path.join(dir, 'secrets.env.example'), path.join(dir, 'secrets.env'));
      const { stdout } = await run('podman-compose', ['--podman-path', '/bin/true', '--dry-run', '-p', 'vecron', '-f', 'compose.yaml', 'up', '-d', '--no-build'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
      const order = [...stdout.matchAll(/ run --name=vecron_([a-z0-9-]+)_1 /g)].map((m) => m[1]!);
      expect(order.slice(0, 9)).toEqual(['postgres', 'nats', 'redis', 'migrate', 'api', 'scheduler-1', 'scheduler-2', 'worker-1', 'worker-2']);
      const roleRun = stdout.split('\n').find((l) => l.includes('--name=vecron_worker-1_1'))!;
      expect(roleRun).toContain('--read-only');
      expect(roleRun).toContain('--env-file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gates api, scheduler ×2, worker ×2 on a finished migration and healthy backing services; monitoring is a profile', () => {
    const cfg = parseYaml(readFileSync(path.join(deploy, 'compose/compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, K8s> };
    const roles = Object.keys(cfg.services).filter((s) => /^(api|scheduler-\d|worker-\d)$/.test(s)).sort();
    expect(roles).toEqual(['api', 'scheduler-1', 'scheduler-2', 'worker-1', 'worker-2']);
    for (const r of roles) {
      expect(cfg.services[r].depends_on, r).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, nats: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(cfg.services[r].read_only, r).toBe(true);
      expect(cfg.services[r].cap_drop, r).toEqual(['ALL']);
      expect(cfg.services[r].env_file, r).toEqual(['vecron.env', 'secrets.env']);
      expect(cfg.services[r].stop_grace_period, r).toBe('40s');
    }
    expect(cfg.services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const s of ['postgres', 'nats', 'redis']) expect(cfg.services[s].healthcheck, s).toBeDefined();
    expect(cfg.services.prometheus.profiles).toEqual(['monitoring']);
    expect(cfg.services.grafana.profiles).toEqual(['monitoring']);
  });
});

describe('prometheus', () => {
  it('`promtool check config` and `promtool check rules` accept the scrape config and the alert rules', async () => {
    const dir = path.join(deploy, 'compose/prometheus');
    const { stdout: rules } = await run('promtool', ['check', 'rules', path.join(dir, 'vecron-alerts.yml')]);
    expect(rules).toMatch(/SUCCESS: 9 rules found/);
    // The config names its rule file by its path inside the container; check a copy that points here.
    const cfg = readFileSync(path.join(dir, 'prometheus.yml'), 'utf8').replace('/etc/prometheus/vecron-alerts.yml', path.join(dir, 'vecron-alerts.yml'));
    const copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'vecron-promtool-')), 'prometheus.yml');
    writeFileSync(copy, cfg);
    const { stdout: checked, stderr } = await run('promtool', ['check', 'config', copy]);
    rmSync(path.dirname(copy), { recursive: true, force: true });
    expect(`${checked}${stderr}`).toMatch(/SUCCESS: 1 rule files found/);
  });
});
