// The Helm chart, checked with the real helm binary: lint, render, validate every object
// against the Kubernetes schemas (kubernetes-models; the prometheus-operator kinds against
// their CRD schemas), and assert the security, probe, label, NetworkPolicy and file-copy rules.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

const REPO = resolve(__dirname, '..', '..', '..');
const CHART = resolve(__dirname, '..');
const PRODUCTION_VALUES = join(CHART, 'ci', 'production-values.yaml');
const FULL_VALUES = join(CHART, 'ci', 'full-values.yaml');
const VALIDATOR = join(__dirname, 'validate-manifests.mjs');
const RELEASE = 'gw';
const NAMESPACE = 'ai-gateway-test';
const UID = 10001;

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

function findHelm(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'helm'))) return join(dir, 'helm');
  }
  const local = join(REPO, '.tools', 'bin', 'helm');
  if (existsSync(local)) return local;
  throw new Error('helm not found on PATH or in .tools/bin (run `npm run tools`)');
}

const HELM = findHelm();
let tmp: string;

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(HELM, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function valuesFile(name: string, values: unknown): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

function render(valueFiles: string[] = [], extraArgs: string[] = []): Obj[] {
  const r = helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...valueFiles.flatMap((f) => ['-f', f]), ...extraArgs]);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => {
      if (d.errors.length) throw new Error(`unparseable YAML from helm template: ${d.errors[0].message}`);
      return d.toJSON() as Obj | null;
    })
    .filter((o): o is Obj => o !== null);
}

function validate(objects: Obj[]): Array<{ kind: string; name: string; errors: string[] }> {
  const r = spawnSync(process.execPath, [VALIDATOR], { input: JSON.stringify(objects), encoding: 'utf8', cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`validator failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const component = (o: Obj) => o.metadata.labels?.['app.kubernetes.io/component'];
/** The Secret whose name ends in `suffix`, and one of its values decoded. */
function secretNamed(objs: Obj[], suffix: string): Obj {
  const found = objs.find((o) => o.kind === 'Secret' && o.metadata.name.endsWith(suffix));
  if (!found) throw new Error(`no Secret named *${suffix}`);
  return found;
}
const secretValue = (objs: Obj[], suffix: string, key: string): string => Buffer.from(secretNamed(objs, suffix).data?.[key] ?? '', 'base64').toString('utf8');
const ofKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
function byComponent(objs: Obj[], kind: string, name: string): Obj {
  const found = ofKind(objs, kind).find((o) => component(o) === name);
  if (!found) throw new Error(`no ${kind} of component ${name}`);
  return found;
}
const apps = () =>
  readdirSync(join(REPO, 'apps'))
    .filter((d) => d !== 'dashboard' && statSync(join(REPO, 'apps', d)).isDirectory())
    .sort();
type AdapterMode = 'embedded' | 'service';
/** The apps a release runs: with every adapter kind embedded (the default), no adapter app. */
const deployedApps = (adapters: AdapterMode) => apps().filter((app) => adapters === 'service' || !app.startsWith('adapter-'));

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ai-gateway-chart-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the manifest validator', () => {
  it('rejects a schema error, an unknown kind and a malformed ServiceMonitor / PrometheusRule', () => {
    const results = validate([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad-port' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 'http' }] }] } } } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'unknown' } },
      { apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'not-a-kind' } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'sm' }, spec: { endpoints: [{ port: 'metrics', interval: '30 seconds' }] } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'pr' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', for: '5m' }] }] } },
    ] as Obj[]);
    expect(results.map((r) => [r.name, r.errors.length > 0])).toEqual([
      ['bad-port', true],
      ['unknown', true],
      ['not-a-kind', true],
      ['sm', true],
      ['pr', true],
    ]);
    expect(results[3].errors.join()).toMatch(/selector: required/);
    expect(results[3].errors.join()).toMatch(/interval/);
    expect(results[4].errors.join()).toMatch(/expr: required/);
  });
});

describe('helm lint --strict', () => {
  it.each([
    ['default values', [] as string[]],
    ['ci/full-values.yaml', ['-f', FULL_VALUES]],
  ])('passes with %s', (_name, args) => {
    const r = helm(['lint', '--strict', CHART, ...args]);
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
  });
});

describe.each([
  ['default values', () => [] as string[], 'embedded' as AdapterMode],
  ['ci/full-values.yaml', () => [FULL_VALUES], 'service' as AdapterMode],
])('helm template with %s', (_name, files, adapters) => {
  const deployed = () => deployedApps(adapters);
  let objects: Obj[];
  beforeAll(() => {
    objects = render(files());
  });

  it('renders only objects that validate against their schemas (no unknown kinds)', () => {
    const invalid = validate(objects).filter((r) => r.errors.length > 0);
    expect(invalid).toEqual([]);
  });

  it('has a Deployment and a Service for every app in apps/ (dashboard excepted; adapter apps only for kinds in service mode)', () => {
    const expected = deployed();
    expect(expected.length).toBeGreaterThanOrEqual(adapters === 'service' ? 7 : 5);
    expect(ofKind(objects, 'Deployment').map(component).sort()).toEqual(expected);
    const services = ofKind(objects, 'Service');
    expect(services.filter((svc) => svc.spec.clusterIP !== 'None').map(component).sort()).toEqual(expected);
    // Components running more than one pod also get a headless Service (callers resolve every pod).
    expect(services.filter((svc) => svc.spec.clusterIP === 'None').every((svc) => expected.includes(component(svc) ?? ''))).toBe(true);
    expect(ofKind(objects, 'ServiceAccount').map(component).sort()).toEqual(expected);
  });

  it('runs every service from the one image, the service chosen by APP', () => {
    const { appVersion } = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const containers = ofKind(objects, 'Deployment').map((d) => {
      const [container, ...others] = d.spec.template.spec.containers as { image: string; env: { name: string; value?: string }[] }[];
      return { component: component(d), others: others.length, image: container.image, app: container.env.filter((e) => e.name === 'APP').map((e) => e.value) };
    });
    expect(containers.sort((a, b) => String(a.component).localeCompare(String(b.component)))).toEqual(
      deployed().map((app) => ({ component: app, others: 0, image: `ghcr.io/ai-gateway/ai-gateway:${appVersion}`, app: [app] })),
    );
  });

  it('runs every pod and container with the restricted security context', () => {
    const pods = [
      ...ofKind(objects, 'Deployment').map((d) => ({ name: d.metadata.name, spec: d.spec.template.spec })),
      ...ofKind(objects, 'Pod').map((p) => ({ name: p.metadata.name, spec: p.spec })),
    ];
    expect(pods.length).toBeGreaterThan(deployed().length);
    for (const { name, spec } of pods) {
      expect({ name, pod: spec.securityContext }).toMatchObject({
        name,
        pod: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } },
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      const tmpVolume = spec.volumes.find((v: any) => v.name === 'tmp');
      expect(tmpVolume).toEqual({ name: 'tmp', emptyDir: {} });
      for (const c of spec.containers) {
        expect({ name, sc: c.securityContext }).toMatchObject({
          name,
          sc: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        });
        expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
  });

  it('probes ingress over HTTP and every gRPC service with a native gRPC probe on a numeric port', () => {
    for (const d of ofKind(objects, 'Deployment')) {
      const [c] = d.spec.template.spec.containers;
      const ports: number[] = c.ports.map((p: any) => p.containerPort);
      if (component(d) === 'ingress') {
        expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080 });
        expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 8080 });
        continue;
      }
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        expect(typeof probe.grpc.port).toBe('number');
        expect(ports).toContain(probe.grpc.port);
        expect(probe.httpGet).toBeUndefined();
      }
    }
  });

  it('labels every object with the standard labels and keeps version and chart out of selectors', () => {
    for (const o of objects) {
      expect({ name: `${o.kind}/${o.metadata.name}`, labels: Object.keys(o.metadata.labels ?? {}) }).toEqual({
        name: `${o.kind}/${o.metadata.name}`,
        labels: expect.arrayContaining([
          'app.kubernetes.io/name',
          'app.kubernetes.io/instance',
          'app.kubernetes.io/version',
          'app.kubernetes.io/part-of',
          'app.kubernetes.io/managed-by',
          'helm.sh/chart',
        ]),
      });
    }
    const selectors: Array<[string, Record<string, string>]> = [
      ...ofKind(objects, 'Deployment').map((o): [string, Record<string, string>] => [`Deployment/${o.metadata.name}`, o.spec.selector.matchLabels]),
      ...ofKind(objects, 'Service').map((o): [string, Record<string, string>] => [`Service/${o.metadata.name}`, o.spec.selector]),
      ...ofKind(objects, 'PodDisruptionBudget').map((o): [string, Record<string, string>] => [`PDB/${o.metadata.name}`, o.spec.selector.matchLabels]),
      ...ofKind(objects, 'NetworkPolicy').map((o): [string, Record<string, string>] => [`NetworkPolicy/${o.metadata.name}`, o.spec.podSelector.matchLabels]),
      ...ofKind(objects, 'ServiceMonitor').map((o): [string, Record<string, string>] => [`ServiceMonitor/${o.metadata.name}`, o.spec.selector.matchLabels]),
    ];
    expect(selectors.length).toBeGreaterThanOrEqual(14);
    for (const [name, selector] of selectors) {
      expect({ name, keys: Object.keys(selector).sort() }).toEqual({
        name,
        keys: expect.not.arrayContaining(['app.kubernetes.io/version', 'helm.sh/chart']),
      });
      expect(selector['app.kubernetes.io/instance']).toBe(RELEASE);
    }
    for (const d of ofKind(objects, 'Deployment')) {
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      expect(d.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(component(d));
    }
  });

  it('wires the services to each other, to NATS and to the Secrets', () => {
    /** A component's gRPC address: its Service, or its headless Service through DNS when it runs more than one pod. */
    const at = (name: string, port: number) => new RegExp(`(^\\S+-${name}:${port}|^dns:///\\S+-${name}-headless\\.${NAMESPACE}\\.svc:${port})$`);
    const env = (app: string) => {
      const d = byComponent(objects, 'Deployment', app);
      return Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    };
    const secret = secretNamed(objects, '-auth');
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['admin-token']);
    expect(env('ingress')).toMatchObject({
      PORT: '8080',
      ROUTER_URL: expect.stringMatching(at('router', 50051)),
      CONFIG_URL: expect.stringMatching(at('config', 50052)),
      KEY_VAULT_ADMIN_URL: expect.stringMatching(at('key-vault', 50053)),
      ANALYTICS_URL: expect.stringMatching(at('analytics', 50055)),
      ADMIN_TOKEN: { secretKeyRef: { name: secret.metadata.name, key: 'admin-token' } },
      MAX_BODY_BYTES: '33554432',
      MAX_INFLIGHT_REQUESTS: '4096',
      // With an Ingress (ci/full-values.yaml) the controller's CIDR, which the chart requires.
      TRUST_PROXY: adapters === 'service' ? '10.0.0.0/8' : '',
    });
    expect(env('router')).toMatchObject({
      KEY_VAULT_RESOLVE_URL: expect.stringMatching(at('key-vault', 50054)),
      ADAPTER_URLS:
        adapters === 'service'
          ? expect.stringMatching(
              /^anthropic=\S+adapter-anthropic(-headless\.\S+\.svc)?:50062,azure-openai=\S+adapter-azure-openai(-headless\.\S+\.svc)?:50065,bedrock=\S+adapter-bedrock(-headless\.\S+\.svc)?:50064,gemini=(\S+adapter-gemini(-headless\.\S+\.svc)?:50063),vertex=\4,openai=\S+adapter-openai(-headless\.\S+\.svc)?:50061$/,
            )
          : '',
      SERVICE_CREDENTIAL: { secretKeyRef: { name: expect.stringMatching(/-router-credential$/), key: 'credential' } },
    });
    for (const app of ['ingress', 'router', 'config', 'key-vault', 'analytics']) {
      expect(env(app).NATS_URL).toMatch(/^nats:\/\//);
    }
    for (const app of deployed()) expect(env(app)).toMatchObject({ METRICS_PORT: '9464', LOG_LEVEL: 'info' });
  });

  it("gives ingress and the router each its own credential Secret, and every gRPC server only the callers' digests", () => {
    const secretRefs = (app: string): Record<string, string> => {
      const d = byComponent(objects, 'Deployment', app);
      const refs = d.spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom?.secretKeyRef);
      expect(d.spec.template.spec.containers[0].envFrom ?? []).toEqual([]);
      expect(d.spec.template.spec.volumes.filter((v: any) => v.secret)).toEqual([]);
      return Object.fromEntries(refs.map((e: any) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]));
    };
    const auth = secretNamed(objects, '-auth').metadata.name;
    const prefix = auth.slice(0, -'-auth'.length);
    const callers = `${prefix}-service-callers/callers`;
    expect(secretRefs('ingress')).toEqual({ ADMIN_TOKEN: `${auth}/admin-token`, SERVICE_CREDENTIAL: `${prefix}-ingress-credential/credential` });
    expect(secretRefs('router')).toEqual({ SERVICE_CREDENTIAL: `${prefix}-router-credential/credential`, SERVICE_CALLERS: callers });
    for (const app of deployed().filter((a) => a !== 'ingress' && a !== 'router')) expect({ app, refs: secretRefs(app) }).toEqual({ app, refs: { SERVICE_CALLERS: callers } });
  });

  it('makes SERVICE_CALLERS the SHA-256 digests of exactly the credentials in the Secrets', () => {
    const data = (suffix: string, key: string) => secretValue(objects, suffix, key);
    const ingress = data('-ingress-credential', 'credential');
    const router = data('-router-credential', 'credential');
    expect(ingress.length).toBeGreaterThanOrEqual(32);
    expect(router).not.toBe(ingress);
    const sha = (v: string) => createHash('sha256').update(v).digest('hex');
    expect(data('-service-callers', 'callers')).toBe(`ingress:${sha(ingress)},router:${sha(router)}`);
    expect(data('-service-callers', 'callers')).not.toContain(ingress);
  });

  it('has a helm test hook that calls /readyz and /v1/models with the same security context', () => {
    const [pod] = ofKind(objects, 'Pod');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const script = pod.spec.containers[0].command.join(' ');
    expect(script).toContain('/readyz');
    expect(script).toContain('/v1/models');
  });
});

describe('optional parts', () => {
  let defaults: Obj[];
  let full: Obj[];
  beforeAll(() => {
    defaults = render();
    full = render([FULL_VALUES]);
  });

  it('lets one service run another image (services.<service>.image) while the rest keep the one image', () => {
    const objects = render([], ['--set', 'image.registry=registry.example', '--set', 'image.tag=1.2.3', '--set', 'services.router.image.repository=team/router-debug']);
    const images = Object.fromEntries(ofKind(objects, 'Deployment').map((d) => [component(d), d.spec.template.spec.containers[0].image]));
    expect(images.router).toBe('registry.example/team/router-debug:1.2.3');
    expect(new Set(Object.entries(images).filter(([c]) => c !== 'router').map(([, image]) => image))).toEqual(new Set(['registry.example/ai-gateway/ai-gateway:1.2.3']));
  });

  it('are off by default (but the control plane\'s PDBs: config and key-vault run two replicas)', () => {
    expect(ofKind(defaults, 'PodDisruptionBudget').map(component)).toEqual(['config']);
    for (const kind of ['HorizontalPodAutoscaler', 'Ingress', 'ServiceMonitor', 'PrometheusRule', 'ConfigMap', 'PersistentVolumeClaim']) {
      expect({ kind, count: ofKind(defaults, kind).length }).toEqual({ kind, count: 0 });
    }
  });

  it('except the NetworkPolicies, on by default for every component (networkPolicy.enabled: false turns them off)', () => {
    expect(ofKind(defaults, 'NetworkPolicy').map(component).sort()).toEqual(deployedApps('embedded'));
    expect(ofKind(render([valuesFile('np-off', { networkPolicy: { enabled: false } })]), 'NetworkPolicy')).toEqual([]);
  });

  it('takes the service credentials from values, and extra digests for a rotation', () => {
    const next = 'b'.repeat(40);
    const objs = render([
      valuesFile('credentials', {
        serviceAuth: { credentials: { ingress: 'i'.repeat(40), router: 'r'.repeat(40) }, acceptedDigests: { router: [createHash('sha256').update(next).digest('hex')] } },
      }),
    ]);
    const data = (suffix: string, key: string) => secretValue(objs, suffix, key);
    const sha = (v: string) => createHash('sha256').update(v).digest('hex');
    expect(data('-ingress-credential', 'credential')).toBe('i'.repeat(40));
    expect(data('-service-callers', 'callers')).toBe(`ingress:${sha('i'.repeat(40))},router:${sha('r'.repeat(40))},router:${sha(next)}`);
    // A rotation through values rolls every pod (credentials are read at start).
    const annotation = (o: Obj[]) => byComponent(o, 'Deployment', 'config').spec.template.metadata.annotations['checksum/service-auth'];
    expect(annotation(objs)).not.toBe(annotation(defaults));
  });

  it('passes PROVIDER_HOST_ALLOWLIST to config only', () => {
    const objs = render([valuesFile('allowlist', { services: { config: { providerHostAllowlist: ['api.openai.com', '*.openai.azure.com'] } } })]);
    for (const d of ofKind(objs, 'Deployment')) {
      const value = d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'PROVIDER_HOST_ALLOWLIST')?.value;
      expect({ app: component(d), value }).toEqual({ app: component(d), value: component(d) === 'config' ? 'api.openai.com,*.openai.azure.com' : undefined });
    }
  });

  it('renders routing.policies into a ConfigMap mounted into config only, with ROUTING_POLICIES_FILE and a checksum that rolls config', () => {
    const policies = { default: { strategy: 'latency' }, models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 3, azure: 1 }, hedge: { afterMs: 800 } } } };
    const objs = render([valuesFile('routing-policies', { routing: { policies } })]);
    const [configMap] = ofKind(objs, 'ConfigMap').filter((o) => o.metadata.name.endsWith('-routing-policies'));
    expect(JSON.parse(configMap.data?.['policies.json'] ?? '')).toEqual(policies);
    for (const d of ofKind(objs, 'Deployment')) {
      const spec = d.spec.template.spec;
      const file = spec.containers[0].env.find((e: any) => e.name === 'ROUTING_POLICIES_FILE')?.value;
      const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === 'routing-policies');
      const volume = spec.volumes.find((v: any) => v.name === 'routing-policies');
      if (component(d) !== 'config') {
        expect({ app: component(d), file, mount, volume }).toEqual({ app: component(d), file: undefined, mount: undefined, volume: undefined });
        continue;
      }
      expect(file).toBe(`${mount.mountPath}/policies.json`);
      expect(mount.readOnly).toBe(true);
      expect(volume.configMap.name).toBe(configMap.metadata.name);
      expect(d.spec.template.metadata.annotations['checksum/routing-policies']).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(byComponent(defaults, 'Deployment', 'config').spec.template.spec.containers[0].env.some((e: any) => e.name === 'ROUTING_POLICIES_FILE')).toBe(false);
  });

  it('are all on with ci/full-values.yaml', () => {
    expect(ofKind(full, 'HorizontalPodAutoscaler').map(component).sort()).toEqual(['adapter-anthropic', 'adapter-azure-openai', 'adapter-bedrock', 'adapter-gemini', 'adapter-openai', 'ingress', 'router']);
    expect(ofKind(full, 'PodDisruptionBudget').map(component).sort()).toEqual(apps());
    for (const pdb of ofKind(full, 'PodDisruptionBudget')) expect(pdb.apiVersion).toBe('policy/v1');
    expect(ofKind(full, 'NetworkPolicy').map(component).sort()).toEqual(apps());
    const [ingress] = ofKind(full, 'Ingress');
    expect(ingress.spec.tls[0].secretName).toBe('ai-gateway-tls');
    expect(ofKind(full, 'ServiceMonitor')[0].metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(ofKind(full, 'PrometheusRule')[0].metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    const keyVaultSa = byComponent(full, 'ServiceAccount', 'key-vault');
    expect(keyVaultSa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::/);
    const kv = byComponent(full, 'Deployment', 'key-vault');
    const env = Object.fromEntries(kv.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ KMS_PROVIDER: 'aws', KMS_KEY_ID: 'alias/ai-gateway', AWS_REGION: 'eu-west-1' });
    // HPA-managed Deployments leave replicas to the HPA.
    expect(byComponent(full, 'Deployment', 'router').spec.replicas).toBeUndefined();
  });

  it('drains every service on SIGTERM: DRAIN_* from values, no preStop hook, terminationGracePeriodSeconds = grace + timeout + 10', () => {
    const drainOf = (objs: Obj[]) =>
      ofKind(objs, 'Deployment').map((d) => {
        const spec = d.spec.template.spec;
        const env = Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e.value]));
        return { app: component(d), grace: env.DRAIN_GRACE_MS, timeout: env.DRAIN_TIMEOUT_MS, preStop: spec.containers[0].lifecycle?.preStop, termination: spec.terminationGracePeriodSeconds };
      });
    // Defaults: 5 s for the endpoint removal to propagate, 25 s for in-flight requests.
    expect(drainOf(defaults)).toEqual(deployedApps('embedded').map((app) => ({ app, grace: '5000', timeout: '25000', preStop: undefined, termination: 40 })));
    const long = render([valuesFile('drain-long', { drain: { graceSeconds: 10, timeoutSeconds: 300 } })]);
    expect(drainOf(long)).toEqual(deployedApps('embedded').map((app) => ({ app, grace: '10000', timeout: '300000', preStop: undefined, termination: 320 })));
    const refused = helm(['template', RELEASE, CHART, '-f', valuesFile('drain-bad', { drain: { graceSeconds: -1, timeoutSeconds: 25 } })]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/graceSeconds/);
  });

  it('adds a PodDisruptionBudget only where more than one replica runs', () => {
    const objs = render([valuesFile('router-2', { services: { router: { replicaCount: 2 }, config: { replicaCount: 1 } } })]);
    expect(ofKind(objs, 'PodDisruptionBudget').map(component)).toEqual(['router']);
  });

  it('runs config and key-vault as two replicas with a PDB by default; key-vault as one with the local KMS (its master key is per pod)', () => {
    const replicas = (objs: any[], app: string): number => byComponent(objs, 'Deployment', app).spec.replicas;
    expect(replicas(defaults, 'config')).toBe(2);
    expect(replicas(defaults, 'key-vault')).toBe(1);
    const aws = render([valuesFile('kv-aws', { kms: { provider: 'aws', keyId: 'alias/ai-gateway', region: 'eu-west-1' } })]);
    expect(replicas(aws, 'config')).toBe(2);
    expect(replicas(aws, 'key-vault')).toBe(2);
    expect(ofKind(aws, 'PodDisruptionBudget').map(component).sort()).toEqual(['config', 'key-vault']);
    for (const pdb of ofKind(aws, 'PodDisruptionBudget')) expect(pdb.spec.maxUnavailable).toBe(1);
  });

  it('renders nothing of adapter-anthropic when it is disabled', () => {
    const objs = render([FULL_VALUES, valuesFile('no-anthropic', { services: { 'adapter-anthropic': { enabled: false } } })]);
    const leftovers = objs.filter((o) => JSON.stringify(o.metadata).includes('adapter-anthropic'));
    expect(leftovers.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const router = byComponent(objs, 'Deployment', 'router');
    const adapterUrls = router.spec.template.spec.containers[0].env.find((e: any) => e.name === 'ADAPTER_URLS').value;
    const at = (app: string, port: number) => `dns:///ai-gw-adapter-${app}-headless.ai-gateway-test.svc:${port}`;
    expect(adapterUrls).toBe(
      `azure-openai=${at('azure-openai', 50065)},bedrock=${at('bedrock', 50064)},gemini=${at('gemini', 50063)},vertex=${at('gemini', 50063)},openai=${at('openai', 50061)}`,
    );
    expect(JSON.stringify(ofKind(objs, 'NetworkPolicy'))).not.toContain('adapter-anthropic');
  });

  it('renders an adapter Deployment, Service and NetworkPolicy only for a kind in service mode, and names only it in ADAPTER_URLS', () => {
    const objs = render([valuesFile('mixed-adapters', { adapters: { openai: { mode: 'service' }, anthropic: { mode: 'embedded' } } })]);
    expect(ofKind(objs, 'Deployment').map(component).sort()).toEqual([...deployedApps('embedded'), 'adapter-openai'].sort());
    expect(ofKind(objs, 'Service').map(component)).toContain('adapter-openai');
    expect(JSON.stringify(objs)).not.toContain('adapter-anthropic');
    const router = byComponent(objs, 'Deployment', 'router');
    expect(router.spec.template.spec.containers[0].env.find((e: any) => e.name === 'ADAPTER_URLS').value).toMatch(/^openai=\S+-adapter-openai:50061$/);
    // Anthropic runs inside the router: the router reaches the internet; with every kind in service mode it does not.
    const prometheus: Array<[string, Peer]> = [['prometheus', { namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }]];
    expect(edges(objs, prometheus).egress).toEqual(expect.arrayContaining(['router -> internet:443/TCP', 'adapter-openai -> internet:443/TCP', 'router -> adapter-openai:50061/TCP']));
    const service = { mode: 'service' };
    const allService = render([valuesFile('all-service', { adapters: { openai: service, anthropic: service, gemini: service, bedrock: service, 'azure-openai': service } })]);
    expect(edges(allService, prometheus).egress).not.toContain('router -> internet:443/TCP');
  });

  it('refuses an adapter mode other than embedded or service', () => {
    const r = helm(['template', RELEASE, CHART, '-f', valuesFile('bad-mode', { adapters: { openai: { mode: 'sidecar' } } })]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('mode');
  });

  it('refuses an Ingress without trustProxy: every client would share the controller\'s address (one guesser locks the admin out)', () => {
    const r = helm(['template', RELEASE, CHART, '-f', valuesFile('ingress-no-trust', { ingress: { enabled: true } })]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('services.ingress.trustProxy');
    expect(render([valuesFile('ingress-trust', { ingress: { enabled: true }, services: { ingress: { trustProxy: '10.0.0.0/8' } } })]).some((o) => o.kind === 'Ingress')).toBe(true);
  });

  it('requests CPU and memory for every service and limits its memory (the HPAs scale on CPU utilisation of the request)', () => {
    for (const deployment of ofKind(render([], ['--set', 'adapters.gemini.mode=service']), 'Deployment')) {
      const { resources } = deployment.spec.template.spec.containers[0];
      expect({ name: component(deployment), cpu: resources?.requests?.cpu, memory: resources?.requests?.memory, limit: resources?.limits?.memory }).toEqual({
        name: component(deployment),
        cpu: expect.any(String),
        memory: expect.any(String),
        limit: expect.any(String),
      });
    }
  });

  it('uses an existing Secret for the admin token instead of creating one', () => {
    const objs = render([valuesFile('existing', { auth: { existingSecret: 'my-gateway-secret' } })]);
    expect(ofKind(objs, 'Secret').map((o) => o.metadata.name).sort()).toEqual(['gw-ai-gateway-ingress-credential', 'gw-ai-gateway-router-credential', 'gw-ai-gateway-service-callers']);
    const ingress = byComponent(objs, 'Deployment', 'ingress').spec.template.spec.containers[0].env.find((e: any) => e.name === 'ADMIN_TOKEN');
    expect(ingress.valueFrom.secretKeyRef).toEqual({ name: 'my-gateway-secret', key: 'admin-token' });
  });

  it('keeps key-vault data on a PersistentVolumeClaim when asked', () => {
    const objs = render([valuesFile('pvc', { services: { 'key-vault': { persistence: { enabled: true, size: '2Gi' } } } })]);
    const [pvc] = ofKind(objs, 'PersistentVolumeClaim');
    expect(pvc.spec.resources.requests.storage).toBe('2Gi');
    const kv = byComponent(objs, 'Deployment', 'key-vault');
    expect(kv.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name } });
    expect(validate(objs).filter((r) => r.errors.length)).toEqual([]);
  });
});

describe('ci/production-values.yaml: the scale-out topology', () => {
  let objects: Obj[];
  const env = (app: string): Record<string, unknown> =>
    Object.fromEntries(byComponent(objects, 'Deployment', app).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  beforeAll(() => {
    objects = render([PRODUCTION_VALUES]);
  });

  it('passes helm lint --strict and renders only valid objects', () => {
    const r = helm(['lint', '--strict', CHART, '-f', PRODUCTION_VALUES]);
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
    expect(validate(objects).filter((r) => r.errors.length > 0)).toEqual([]);
  });

  it('runs two or more replicas of every service: HPAs (min 2) on ingress and router, two replicas of the rest', () => {
    const hpas = Object.fromEntries(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => [component(h), h.spec.minReplicas]));
    expect(hpas).toEqual({ ingress: 2, router: 2 });
    for (const app of ['ingress', 'router']) expect(byComponent(objects, 'Deployment', app).spec.replicas).toBeUndefined();
    for (const app of ['config', 'key-vault', 'analytics']) expect(byComponent(objects, 'Deployment', app).spec.replicas).toBe(2);
  });

  it('gives every service a PodDisruptionBudget and requires its replicas on different nodes', () => {
    const services = ['analytics', 'config', 'ingress', 'key-vault', 'router'];
    expect(ofKind(objects, 'PodDisruptionBudget').map(component).sort()).toEqual(services);
    for (const app of services) {
      const deployment = byComponent(objects, 'Deployment', app);
      const required = deployment.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      expect(required).toEqual([{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: deployment.spec.selector.matchLabels } }]);
    }
  });

  it('reaches every replica through headless Services and round robin (dns:///), and keeps buckets and streams on three JetStream replicas', () => {
    const headless = ofKind(objects, 'Service').filter((svc) => svc.spec.clusterIP === 'None');
    expect(headless.map(component).sort()).toEqual(['analytics', 'config', 'key-vault', 'router']);
    const dns = (name: string, port: number) => `dns:///${RELEASE}-ai-gateway-${name}-headless.${NAMESPACE}.svc:${port}`;
    expect(env('ingress')).toMatchObject({
      ROUTER_URL: dns('router', 50051),
      CONFIG_URL: dns('config', 50052),
      KEY_VAULT_ADMIN_URL: dns('key-vault', 50053),
      ANALYTICS_URL: dns('analytics', 50055),
    });
    expect(env('router')).toMatchObject({ CONFIG_URL: dns('config', 50052), KEY_VAULT_RESOLVE_URL: dns('key-vault', 50054) });
    expect(env('config').KV_REPLICAS).toBe('3');
    expect(env('ingress').KV_REPLICAS).toBe('3');
    expect(env('key-vault').KV_REPLICAS).toBe('3');
    expect(env('analytics').USAGE_STREAM_REPLICAS).toBe('3');
  });

  it('prefers spreading by default (soft), and leaves single-replica components alone', () => {
    const defaults = render();
    const config = byComponent(defaults, 'Deployment', 'config').spec.template.spec.affinity;
    expect(config.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
    expect(byComponent(defaults, 'Deployment', 'router').spec.template.spec.affinity).toBeUndefined();
    const none = render([valuesFile('no-anti-affinity', { podAntiAffinity: 'none' })]);
    expect(byComponent(none, 'Deployment', 'config').spec.template.spec.affinity).toBeUndefined();
  });
});

describe('values.schema.json', () => {
  it.each([
    ['an unknown top-level value', { notAValue: true }],
    ['an unknown service setting', { services: { router: { replicas: 2 } } }],
    ['autoscaling on a service without an HPA', { services: { analytics: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 2 } } } }],
    ['an unknown kms provider', { kms: { provider: 'vault' } }],
    ['kms.provider aws without a key id and region', { kms: { provider: 'aws' } }],
    ['a service credential shorter than 32 characters', { serviceAuth: { credentials: { ingress: 'short', router: '' } } }],
    ['an accepted digest that is not SHA-256 hex', { serviceAuth: { acceptedDigests: { router: ['not-a-digest'] } } }],
    ['the removed auth.serviceCredentialKey', { auth: { serviceCredentialKey: 'service-credential' } }],
  ])('rejects %s (helm template fails)', (name, values) => {
    const r = helm(['template', RELEASE, CHART, '-f', valuesFile(name.replace(/\W+/g, '-'), values)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/schema/);
  });
});

// ---------------------------------------------------------------------------------------
// NetworkPolicies, read back as a set of edges "from -> to:port/protocol".

type Peer = Record<string, any>;

function peerName(peer: Peer, named: Array<[string, Peer]>): string {
  for (const [name, p] of named) if (JSON.stringify(p) === JSON.stringify(peer)) return name;
  if (peer.ipBlock) {
    expect(peer.ipBlock.except ?? []).toContain('169.254.169.254/32');
    return 'internet';
  }
  const labels = peer.podSelector?.matchLabels ?? {};
  if (!peer.namespaceSelector && labels['app.kubernetes.io/instance'] === RELEASE && labels['app.kubernetes.io/component']) {
    return labels['app.kubernetes.io/component'];
  }
  throw new Error(`unexpected NetworkPolicy peer ${JSON.stringify(peer)}`);
}

function edges(objects: Obj[], named: Array<[string, Peer]>): { ingress: string[]; egress: string[] } {
  const ingress = new Set<string>();
  const egress = new Set<string>();
  for (const np of ofKind(objects, 'NetworkPolicy')) {
    const self = np.spec.podSelector.matchLabels['app.kubernetes.io/component'];
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    for (const rule of np.spec.ingress ?? []) {
      for (const port of rule.ports) {
        for (const from of rule.from ?? [null]) ingress.add(`${from ? peerName(from, named) : '*'} -> ${self}:${port.port}/${port.protocol}`);
      }
    }
    for (const rule of np.spec.egress ?? []) {
      for (const port of rule.ports) {
        for (const to of rule.to ?? [null]) egress.add(`${self} -> ${to ? peerName(to, named) : '*'}:${port.port}/${port.protocol}`);
      }
    }
  }
  return { ingress: [...ingress].sort(), egress: [...egress].sort() };
}

/** The paths the design allows, written out independently of the chart's templates. */
function expectedEdges(o: { ingressFrom: string; metrics: string; dns: string; nats: string; awsKms: boolean; testPod: boolean; adapters: AdapterMode }) {
  const service = o.adapters === 'service';
  const adapterApps = ['adapter-openai', 'adapter-anthropic', 'adapter-gemini', 'adapter-bedrock', 'adapter-azure-openai'];
  const all = ['ingress', 'router', 'config', 'key-vault', 'analytics', ...(service ? adapterApps : [])];
  const calls: Array<[string, string, number]> = [
    ['ingress', 'router', 50051],
    ['ingress', 'config', 50052],
    ['router', 'config', 50052],
    ['ingress', 'key-vault', 50053],
    ['router', 'key-vault', 50054],
    ['ingress', 'analytics', 50055],
    ...(service
      ? ([
          ['router', 'adapter-openai', 50061],
          ['router', 'adapter-anthropic', 50062],
          ['router', 'adapter-gemini', 50063],
          ['router', 'adapter-bedrock', 50064],
          ['router', 'adapter-azure-openai', 50065],
        ] as Array<[string, string, number]>)
      : []),
  ];
  // Embedded adapters: the router itself calls the providers; with every kind in service mode it does not.
  const internet = [...(service ? adapterApps : ['router']), ...(o.awsKms ? ['key-vault'] : [])];
  const ingress = [
    `${o.ingressFrom} -> ingress:8080/TCP`,
    ...(o.testPod ? ['test -> ingress:8080/TCP'] : []),
    ...calls.map(([from, to, port]) => `${from} -> ${to}:${port}/TCP`),
    ...all.map((c) => `${o.metrics} -> ${c}:9464/TCP`),
  ];
  const egress = [
    ...all.flatMap((c) => [`${c} -> ${o.dns}:53/UDP`, `${c} -> ${o.dns}:53/TCP`, `${c} -> ${o.nats}:4222/TCP`]),
    ...calls.map(([from, to, port]) => `${from} -> ${to}:${port}/TCP`),
    ...internet.map((c) => `${c} -> internet:443/TCP`),
  ];
  return { ingress: [...new Set(ingress)].sort(), egress: [...new Set(egress)].sort() };
}

describe('NetworkPolicies', () => {
  it('allow exactly the designed paths (ci/full-values.yaml: named peers, AWS KMS)', () => {
    const objs = render([FULL_VALUES]);
    const values = parseYaml(readFileSync(FULL_VALUES, 'utf8'));
    const np = values.networkPolicy;
    const named: Array<[string, Peer]> = [
      ['ingress-controller', np.ingressFrom[0]],
      ['prometheus', np.metricsFrom[0]],
      ['dns', np.dns.to[0]],
      ['nats', np.nats.to[0]],
    ];
    expect(edges(objs, named)).toEqual(
      expectedEdges({ ingressFrom: 'ingress-controller', metrics: 'prometheus', dns: 'dns', nats: 'nats', awsKms: true, testPod: true, adapters: 'service' }),
    );
  });

  it('allow exactly the designed paths (defaults: any source for 8080, Prometheus for metrics, local KMS)', () => {
    const objs = render();
    const prometheus = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')).networkPolicy.metricsFrom[0];
    expect(prometheus).toEqual({ namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } });
    expect(edges(objs, [['prometheus', prometheus]])).toEqual(
      expectedEdges({ ingressFrom: '*', metrics: 'prometheus', dns: '*', nats: '*', awsKms: false, testPod: false, adapters: 'embedded' }),
    );
  });

  it('allow any source to metrics when metricsFrom is emptied', () => {
    const objs = render([valuesFile('np-any-metrics', { networkPolicy: { metricsFrom: [] } })]);
    expect(edges(objs, [])).toEqual(expectedEdges({ ingressFrom: '*', metrics: '*', dns: '*', nats: '*', awsKms: false, testPod: false, adapters: 'embedded' }));
  });
});

// ---------------------------------------------------------------------------------------
// Dashboards and alerts: one canonical file in the chart, a committed copy under deploy/.

describe('Grafana dashboard and Prometheus alerts', () => {
  const dashboardFile = join(CHART, 'dashboards', 'ai-gateway.json');
  const alertsFile = join(CHART, 'alerts', 'ai-gateway-rules.yaml');

  it('deploy/ copies are identical to the chart files', () => {
    expect(readFileSync(join(REPO, 'deploy', 'grafana', 'ai-gateway.json'), 'utf8')).toBe(readFileSync(dashboardFile, 'utf8'));
    expect(readFileSync(join(REPO, 'deploy', 'prometheus', 'alerts.yaml'), 'utf8')).toBe(readFileSync(alertsFile, 'utf8'));
  });

  it('ships the dashboard as a ConfigMap labelled grafana_dashboard: "1" and the rules as a PrometheusRule', () => {
    const objs = render([FULL_VALUES]);
    const [cm] = ofKind(objs, 'ConfigMap');
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm.data?.['ai-gateway.json'] ?? '')).toEqual(JSON.parse(readFileSync(dashboardFile, 'utf8')));
    const [rule] = ofKind(objs, 'PrometheusRule');
    expect(rule.spec).toEqual(parseYaml(readFileSync(alertsFile, 'utf8')).spec);
  });

  it('the alerts file is itself a valid PrometheusRule with the four alerts', () => {
    const rule = parseYaml(readFileSync(alertsFile, 'utf8'));
    expect(validate([rule])).toEqual([{ kind: 'PrometheusRule', name: 'ai-gateway', errors: [] }]);
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules);
    expect(alerts.map((a: any) => [a.alert, a.for ?? null])).toEqual([
      ['AIGatewayProviderErrorRateHigh', '5m'],
      ['AIGatewayProviderLatencyHigh', '10m'],
      ['AIGatewayUsageEventsDropped', null],
      ['AIGatewayTeamBudget80Percent', null],
    ]);
    expect(alerts[0].expr).toMatch(/gen_ai_gateway_requests_total\{outcome="error"\}/);
    expect(alerts[0].expr).toMatch(/> 0\.05/);
    expect(alerts[1].expr).toMatch(/histogram_quantile\(0\.95,[\s\S]*gen_ai_client_operation_duration_seconds_bucket[\s\S]*> 10/);
    expect(alerts[2].expr).toMatch(/increase\(gen_ai_gateway_usage_events_dropped_total\[5m\]\)\) > 0/);
    expect(alerts[3].expr).toMatch(/gen_ai_gateway_team_spend_usd[\s\S]*\/[\s\S]*gen_ai_gateway_team_budget_usd > 0[\s\S]*>= 0\.8/);
  });

  it('the dashboard queries a ${datasource} Prometheus variable in every panel', () => {
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8'));
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const panels = dashboard.panels.filter((p: any) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const p of panels) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
