// Benchmark: how long a failing canary keeps traffic after the analysis
// round that fails it, per load balancer (HAProxy, nginx, Caddy). Over a
// live resilience-demo:v2, blue-green-deploy starts resilience-demo:v3-failing
// (500 to every request) as a canary under steady load, Prometheus fails the
// first analysis round, and the action rolls back. Writes
// bench/results/canary-rollback.md. Run as root with dockerd running:
//   npx tsx bench/canary-rollback.ts
// Every server listens on 127.0.0.1 and each load run stops within 60 s.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  runBundledAction,
  startBundledAction,
} from '../test/helpers/action.js';
import {
  startHaproxy,
  startNginx,
  type Balancer,
} from '../test/helpers/balancers.js';
import {
  buildDemoImages,
  removeServiceContainers,
} from '../test/helpers/docker.js';
import { freePort } from '../test/helpers/ports.js';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startTimedLoad, type Sample } from './timed-load.js';

const exec = promisify(execFile);
const RUNS = 3;
const RATE = 250;
const ANALYSIS = {
  steps: '10,25,50,100',
  'step-duration': '4s',
  'analysis-interval': '2s',
  'min-requests': '20',
  'max-error-rate': '0.05',
  'health-interval': '250ms',
  'lock-ttl': '30s',
};
const FAIL_LINE = /analysis round: fail/;
const root = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = join(root, 'bench/results/canary-rollback.md');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Measurements of one canary run, in milliseconds of performance.now(). */
interface RunMetrics {
  /** First v3 response to the "analysis round: fail" log line. */
  detectMs: number;
  /** That log line to the last v3 response. */
  rollbackMs: number;
  /** Requests sent between the first and the last v3 response. */
  canaryRequests: number;
  /** Of those, the failed ones: 5xx, connection errors, slower than 2 s. */
  canaryFailed: number;
  /** Failed requests of the whole load run that did not come from v3. */
  otherFailed: number;
  /** Connection errors of the whole load run: code and send time relative
   * to the fail line (negative before it). */
  connectionErrors: string[];
  /** Wall time of the action, node start-up included. */
  actionMs: number;
}

/**
 * Starts Debian's Caddy on 127.0.0.1 from the starter config in
 * action-templates/blue-green-deploy/caddy/, with an empty upstream list
 * for the first deploy to fill, and the admin API on its own port.
 */
async function startCaddy(service: string): Promise<Balancer> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-caddy-'));
  const [port, adminPort] = [await freePort(), await freePort()];
  const template = join(root, 'action-templates/blue-green-deploy/caddy');
  const config = JSON.parse(await readFile(`${template}/caddy.json`, 'utf8'));
  config.admin.listen = `127.0.0.1:${adminPort}`;
  config.storage = { module: 'file_system', root: join(dir, 'data') };
  const server = config.apps.http.servers.web;
  server.listen = [`127.0.0.1:${port}`];
  server.routes[0].handle[0]['@id'] = `blue-green-${service}`;
  server.routes[0].handle[0].upstreams = [];
  await writeFile(join(dir, 'caddy.json'), JSON.stringify(config));
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir };
  const child = spawn('caddy', ['run', '--config', join(dir, 'caddy.json')], {
    cwd: dir,
    env: { ...env, XDG_DATA_HOME: dir },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor(`${adminUrl}/config/`).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    inputs: { router: 'caddy', 'caddy-admin-url': adminUrl },
    stop,
  };
}

/** Waits up to 10 s for `url` to respond with a 2xx status. */
async function waitFor(url: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    const signal = AbortSignal.timeout(1000);
    const response = await fetch(url, { signal }).catch(() => undefined);
    if (response?.ok) return;
    await sleep(100);
  }
  throw new Error(
    `${url} did not respond within 10 s; check that Debian's caddy is installed.`,
  );
}

/** Deploys v3-failing under load and measures detection and rollback. */
async function measureRun(
  balancer: Balancer,
  inputs: Record<string, string>,
): Promise<RunMetrics> {
  const load = startTimedLoad(balancer.url, {
    rate: RATE,
    maxDurationMs: 60_000,
  });
  await sleep(500);
  const { child, done } = await startBundledAction('blue-green-deploy', {
    ...inputs,
    ...ANALYSIS,
    image: 'resilience-demo:v3-failing',
  });
  let failLineMs: number | undefined;
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    if (failLineMs === undefined && FAIL_LINE.test(buffered)) {
      failLineMs = performance.now();
    }
  });
  const run = await done;
  await sleep(1000);
  const { samples } = await load.stop();
  if (run.outputs.result !== 'rolled-back' || failLineMs === undefined) {
    throw new Error(
      `expected a rollback after a failed analysis round, got result ` +
        `"${run.outputs.result}":\n${run.stdout}\n${run.stderr}`,
    );
  }
  return metrics(samples, failLineMs, run.durationMs);
}

/** Derives one run's numbers from the load's samples. */
function metrics(
  samples: Sample[],
  failLineMs: number,
  actionMs: number,
): RunMetrics {
  const v3 = samples.filter((sample) => sample.version === 'v3');
  if (v3.length === 0) throw new Error('No request reached the canary.');
  const firstV3 = Math.min(...v3.map((sample) => sample.doneMs));
  const lastV3 = Math.max(...v3.map((sample) => sample.doneMs));
  const firstSent = Math.min(...v3.map((sample) => sample.sentMs));
  const lastSent = Math.max(...v3.map((sample) => sample.sentMs));
  const during = samples.filter(
    (sample) => sample.sentMs >= firstSent && sample.sentMs <= lastSent,
  );
  const errors = samples.filter((sample) => sample.outcome === 'connection');
  return {
    detectMs: failLineMs - firstV3,
    rollbackMs: lastV3 - failLineMs,
    canaryRequests: during.length,
    canaryFailed: during.filter((sample) => sample.outcome !== 'ok').length,
    otherFailed: samples.filter(
      (sample) => sample.outcome !== 'ok' && sample.version !== 'v3',
    ).length,
    connectionErrors: errors.map(
      (sample) =>
        `${sample.errorCode ?? 'error'} at ${Math.round(sample.sentMs - failLineMs)} ms`,
    ),
    actionMs,
  };
}

/** Makes v2 live through one balancer, then runs the failing canary RUNS times. */
async function benchBalancer(
  kind: string,
  start: (service: string, ports: [number, number]) => Promise<Balancer>,
): Promise<RunMetrics[]> {
  const service = `bench-canary-${kind}`;
  const ports: [number, number] = [await freePort(), await freePort()];
  await removeServiceContainers(service);
  const balancer = await start(service, ports);
  const prometheus = await startPrometheus({
    scrapeTargets: ports.map((port) => `127.0.0.1:${port}`),
    scrapeInterval: '1s',
    waitForTargets: false,
  });
  const inputs = {
    service,
    'blue-port': String(ports[0]),
    'green-port': String(ports[1]),
    'prometheus-url': prometheus.url,
    ...balancer.inputs,
  };
  const runs: RunMetrics[] = [];
  try {
    const first = await runBundledAction('blue-green-deploy', {
      ...inputs,
      image: 'resilience-demo:v2',
      steps: '100',
    });
    if (first.outputs.result !== 'deployed') {
      throw new Error(`v2 was not deployed:\n${first.stdout}`);
    }
    for (let run = 1; run <= RUNS; run += 1) {
      runs.push(await measureRun(balancer, inputs));
      console.log(`${kind} run ${run}: ${JSON.stringify(runs.at(-1))}`);
    }
  } finally {
    await balancer.stop();
    await prometheus.stop();
    await removeServiceContainers(service);
  }
  return runs;
}

/** Returns the first match of `pattern` in a command's output. */
async function versionOf(command: string, args: string[], pattern: RegExp) {
  const { stdout, stderr } = await exec(command, args);
  return pattern.exec(`${stdout}\n${stderr}`)?.[1] ?? 'unknown';
}

/** Names the tools' versions, the commit and the state of the bundle. */
async function describeSetup(): Promise<string> {
  const serverVersion = ['version', '-f', '{{.Server.Version}}'];
  const docker = await versionOf('docker', serverVersion, /(\S+)/);
  const haproxy = await versionOf('haproxy', ['-v'], /HAProxy version (\S+)/);
  const nginx = await versionOf('nginx', ['-v'], /nginx\/(\S+)/);
  const caddy = await versionOf('caddy', ['version'], /v?(\d\S*)/);
  const prometheus = await versionOf('prometheus', ['--version'], /n (\S+)/);
  const commit = await versionOf(
    'git',
    ['rev-parse', '--short', 'HEAD'],
    /(\S+)/,
  );
  const diff = ['diff', '--quiet', 'HEAD', '--', 'dist/blue-green-deploy'];
  const changed = await exec('git', diff).then(
    () => false,
    () => true,
  );
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return `Run on ${date} UTC: ${cpus().length} cores, Docker ${docker},
HAProxy ${haproxy}, nginx ${nginx}, Caddy ${caddy}, Prometheus ${prometheus},
Node.js ${process.version}; bundle: dist/blue-green-deploy at ${commit},
${changed ? 'with uncommitted changes' : 'as committed'}.`;
}

/** Formats "median / worst" of one field over the runs, worst being the max. */
function cell(
  runs: RunMetrics[],
  pick: (run: RunMetrics) => number,
  format = (value: number) => `${Math.round(value)} ms`,
): string {
  const values = runs.map(pick).sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)];
  return `${format(median)} / ${format(values[values.length - 1])}`;
}

const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');

/** Renders the summary table (median / worst) and the table of every run. */
function resultTables(results: Record<string, RunMetrics[]>): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const summary = Object.entries(results).map(([name, runs]) => [
    name,
    cell(runs, (run) => run.rollbackMs),
    cell(runs, (run) => run.detectMs),
    cell(runs, (run) => run.canaryFailed / run.canaryRequests, percent),
    cell(runs, (run) => run.actionMs),
  ]);
  const each = Object.entries(results).flatMap(([name, runs]) =>
    runs.map((run, index) => [
      `${name} ${index + 1}`,
      `${Math.round(run.rollbackMs)} ms`,
      `${run.canaryFailed} / ${run.canaryRequests}`,
      String(run.otherFailed),
      run.connectionErrors.join(', ') || 'none',
    ]),
  );
  return `${table(
    [
      'balancer',
      'fail line to traffic back',
      'first v3 response to fail line',
      'failed share in the canary window',
      'action wall time',
    ],
    summary,
  )}

Every run:

${table(
  [
    'run',
    'fail line to traffic back',
    'failed / sent in the canary window',
    'failed, not from v3',
    'connection errors (send time from the fail line)',
  ],
  each,
)}`;
}

function renderPage(results: Record<string, RunMetrics[]>, setup: string) {
  const settings = Object.entries(ANALYSIS)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return `# Benchmark: failing canary to rollback

How long a failing canary keeps receiving traffic after the analysis round
that fails it, and how many requests fail meanwhile, per load balancer.

Reproduce, as root with dockerd running and dist/ built
(\`bash .ci/setup && npm run build\` does both):

\`\`\`sh
npx tsx bench/canary-rollback.ts
\`\`\`

${setup}

## Method

- Each balancer runs on 127.0.0.1 (HAProxy and nginx as in the integration
  tests, Caddy from \`action-templates/blue-green-deploy/caddy/caddy.json\`),
  with \`resilience-demo:v2\` live on one color. Prometheus scrapes both
  color ports every 1 s.
- Load: ${RATE} requests per second from one Node.js process on 127.0.0.1
  (keep-alive, up to 64 sockets, batches every 20 ms), from 0.5 s before
  the action starts until 1 s after it exits. A request fails on a status
  other than 2xx, a connection error or a response slower than 2 s.
- The action deploys \`resilience-demo:v3-failing\`, which answers 500 to
  every request, as a canary with ${settings}. The first analysis round
  fails on the error rate and the action rolls back.
- Fail line: the moment this process reads the action's log line
  "analysis round: fail", printed once the round's queries return.
- Traffic back: the last response with \`x-version: v3\`. The balancers
  interleave the canary's 10% share, so at ${RATE} requests per second a
  v3 response is due about every 40 ms. This is a lower bound: the switch
  came before the next v3 response was due. A negative value means that
  no v3 request fell between the fail line and the switch.
- Canary window: requests sent between the first and the last v3
  response. v3 answers 500 to every request, so a failed share near 10%
  is the canary's weight at the first step.
- "Failed, not from v3" counts failed requests of the whole load run that
  did not come from v3: connection errors and failures on the live color.
  Send times are relative to the fail line; about -2000 ms is the start
  of the canary.
- Each balancer runs ${RUNS} times; the first table shows median / worst
  (max).

## Results

${resultTables(results)}
`;
}

async function main(): Promise<void> {
  await buildDemoImages();
  const loadAtStart = loadavg()[0];
  const results = {
    HAProxy: await benchBalancer('haproxy', startHaproxy),
    nginx: await benchBalancer('nginx', (service) => startNginx(service)),
    Caddy: await benchBalancer('caddy', (service) => startCaddy(service)),
  };
  const setup = await describeSetup();
  const load = `The 1-minute load average was ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end, counting any other work on the machine, such as test runs.`;
  await writeFile(resultsFile, renderPage(results, `${setup}\n${load}`));
  console.log(`wrote ${resultsFile}`);
}

await main();
