// Benchmark: failed requests during a version switch under steady load, the
// naive stop-then-start that `docker-compose up -d` performs against
// blue-green-deploy through HAProxy and nginx, plus rollback times. Writes
// bench/results/blue-green-switch.md. Run as root with dockerd running:
//   npx tsx bench/blue-green-switch.ts
// All traffic stays on 127.0.0.1 and each load run stops within 60 s.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runBundledAction } from '../test/helpers/action.js';
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
import { renderResults, type BenchResults } from './results-page.js';
import {
  rollbackMetrics,
  switchMetrics,
  type RollbackMetrics,
  type SwitchMetrics,
} from './switch-metrics.js';
import { startTimedLoad } from './timed-load.js';

const exec = promisify(execFile);
const RUNS = 5;
const RATE = 250;
const NAIVE_SERVICE = 'bench-naive';
const resultsFile = fileURLToPath(
  new URL('results/blue-green-switch.md', import.meta.url),
);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `url` until it responds 2xx with `version`, or throws. */
async function waitForVersion(url: string, version: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    // A referenced timer, unlike AbortSignal.timeout(), keeps Node running
    // while the connection waits on a port that accepted but never responds.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 500);
    try {
      const response = await fetch(url, { signal: controller.signal });
      await response.arrayBuffer();
      if (response.ok && response.headers.get('x-version') === version) return;
    } catch {
      // Not listening yet.
    } finally {
      clearTimeout(timer);
    }
    await sleep(20);
  }
  throw new Error(`${url} did not serve ${version} within 30 s.`);
}

/** Runs `switchTo` under load and measures the switch from v1 to v2. */
async function measureSwitch(
  url: string,
  switchTo: () => Promise<void>,
): Promise<SwitchMetrics> {
  const load = startTimedLoad(url, { rate: RATE, maxDurationMs: 60_000 });
  await sleep(500);
  const started = performance.now();
  await switchTo();
  const totalMs = performance.now() - started;
  await sleep(1000);
  return switchMetrics(await load.stop(), { from: 'v1', to: 'v2' }, totalMs);
}

/** Writes a one-service Compose file and returns commands for it. */
async function composeProject(port: number) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-compose-'));
  const file = join(dir, 'docker-compose.yml');
  await writeFile(
    file,
    `version: '2.4'
services:
  web:
    image: \${DEMO_IMAGE}
    ports: ['127.0.0.1:${port}:8080']
    labels:
      io.resilience-actions.service: ${NAIVE_SERVICE}
`,
  );
  const compose = (image: string, ...args: string[]) =>
    exec('docker-compose', ['-p', NAIVE_SERVICE, '-f', file, ...args], {
      env: { ...process.env, DEMO_IMAGE: image },
    });
  return {
    up: (image: string) => compose(image, 'up', '-d'),
    async remove() {
      await compose('none', 'down', '--timeout', '2').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The naive case: `docker-compose up -d` with a new image stops the old
 * container (SIGTERM), removes it and starts the new one on the same port.
 * The switch ends when v2 responds, since the service needs seconds to start.
 */
async function benchNaive(): Promise<SwitchMetrics[]> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const project = await composeProject(port);
  const runs: SwitchMetrics[] = [];
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      await project.up('resilience-demo:v1');
      await waitForVersion(url, 'v1');
      runs.push(
        await measureSwitch(url, async () => {
          await project.up('resilience-demo:v2');
          await waitForVersion(url, 'v2');
        }),
      );
      console.log(`naive run ${run}: ${JSON.stringify(runs.at(-1))}`);
    }
  } finally {
    await project.remove();
    await removeServiceContainers(NAIVE_SERVICE);
  }
  return runs;
}

/** Runs blue-green-deploy and throws unless it ends with `result`. */
async function runAction(
  inputs: Record<string, string>,
  result: string,
): Promise<number> {
  const run = await runBundledAction('blue-green-deploy', inputs);
  if (run.exitCode !== 0 || run.outputs.result !== result) {
    throw new Error(
      `blue-green-deploy ended with exit code ${run.exitCode} and result ` +
        `"${run.outputs.result}", expected "${result}":\n${run.stdout}\n` +
        `stderr:\n${run.stderr}`,
    );
  }
  return run.durationMs;
}

/** Deploys v2, then rolls back to v1, RUNS times, through one balancer. */
async function benchBlueGreen(
  kind: string,
  start: (service: string, ports: [number, number]) => Promise<Balancer>,
) {
  const service = `bench-bg-${kind}`;
  const ports: [number, number] = [await freePort(), await freePort()];
  await removeServiceContainers(service);
  const balancer = await start(service, ports);
  const inputs = {
    service,
    'blue-port': String(ports[0]),
    'green-port': String(ports[1]),
    'health-interval': '250ms',
    'health-successes': '3',
    'drain-timeout': '5s',
    ...balancer.inputs,
  };
  const switches: SwitchMetrics[] = [];
  const rollbacks: RollbackMetrics[] = [];
  try {
    await runAction({ ...inputs, image: 'resilience-demo:v1' }, 'deployed');
    for (let run = 1; run <= RUNS; run += 1) {
      switches.push(
        await measureSwitch(balancer.url, async () => {
          await runAction(
            { ...inputs, image: 'resilience-demo:v2' },
            'deployed',
          );
        }),
      );
      rollbacks.push(await measureRollback(balancer.url, inputs));
      console.log(`${kind} run ${run}: ${JSON.stringify(switches.at(-1))}`);
      console.log(
        `${kind} rollback ${run}: ${JSON.stringify(rollbacks.at(-1))}`,
      );
    }
  } finally {
    await balancer.stop();
    await removeServiceContainers(service);
  }
  return { switches, rollbacks };
}

/** Rolls back from v2 to v1 under load and measures it. */
async function measureRollback(
  url: string,
  inputs: Record<string, string>,
): Promise<RollbackMetrics> {
  const load = startTimedLoad(url, { rate: RATE, maxDurationMs: 60_000 });
  await sleep(500);
  const started = performance.now();
  const actionMs = await runAction(
    { ...inputs, mode: 'rollback' },
    'rolled-back',
  );
  await sleep(1000);
  return rollbackMetrics(await load.stop(), 'v2', started, actionMs);
}

/** Returns the first match of `pattern` in a command's output. */
async function versionOf(
  command: string,
  args: string[],
  pattern = /(.+)/,
): Promise<string> {
  const { stdout, stderr } = await exec(command, args);
  return pattern.exec(`${stdout}\n${stderr}`.trim())?.[1] ?? 'unknown';
}

/** Names the commit and whether the bundle differs from it. */
async function describeBundle(): Promise<string> {
  const commit = await versionOf('git', ['rev-parse', '--short', 'HEAD']);
  const changed = await exec('git', [
    'diff',
    '--quiet',
    'HEAD',
    '--',
    'dist/blue-green-deploy',
  ]).then(
    () => false,
    () => true,
  );
  const state = changed ? 'with uncommitted changes' : 'as committed';
  return `dist/blue-green-deploy at ${commit}, ${state}`;
}

async function main(): Promise<void> {
  await buildDemoImages();
  const naive = await benchNaive();
  const haproxy = await benchBlueGreen('haproxy', startHaproxy);
  const nginx = await benchBlueGreen('nginx', (service) => startNginx(service));
  const results: BenchResults = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    rate: RATE,
    runs: RUNS,
    machine: {
      cores: cpus().length,
      node: process.version,
      docker: await versionOf('docker', [
        'version',
        '-f',
        '{{.Server.Version}}',
      ]),
      compose: await versionOf('docker-compose', ['version', '--short']),
      haproxy: await versionOf('haproxy', ['-v'], /HAProxy version (\S+)/),
      nginx: await versionOf('nginx', ['-v'], /nginx\/(\S+)/),
    },
    bundle: await describeBundle(),
    switches: {
      'docker-compose up -d': naive,
      'blue-green, HAProxy': haproxy.switches,
      'blue-green, nginx': nginx.switches,
    },
    rollbacks: { HAProxy: haproxy.rollbacks, nginx: nginx.rollbacks },
  };
  await writeFile(resultsFile, renderResults(results));
  console.log(`wrote ${resultsFile}`);
}

await main();
