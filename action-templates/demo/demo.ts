// The blue-green-deploy demo: HAProxy on 127.0.0.1, the bundled action run
// the way the runner runs it, and steady load through HAProxy while the
// steps in steps.ts deploy, fail safely and roll back. Run it through
// action-templates/demo/run, or with tsx once dockerd runs and dist/ exists.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startBundledAction,
  type ActionRun,
} from '../../test/helpers/action.js';
import { startHaproxy, type Balancer } from '../../test/helpers/balancers.js';
import { startPrometheus } from '../../test/helpers/prometheus.js';
import {
  buildDemoImages,
  removeServiceContainers,
} from '../../test/helpers/docker.js';
import { startLoad } from '../../test/helpers/load.js';
import { freePort } from '../../test/helpers/ports.js';
import { Cleanup } from './cleanup.js';
import { formatStepLine, formatTable, type StepResult } from './report.js';
import {
  DEMO_STEPS,
  judgeStep,
  type DemoEnvironment,
  type DemoStep,
} from './steps.js';

/** Service name of the demo's containers and HAProxy backend. */
export const DEMO_SERVICE = 'resilience-demo-web';

export interface DemoOptions {
  /** Receives every line the demo prints; console.log by default. */
  print?: (line: string) => void;
  /** Load rate in requests per second during steps under load. */
  rate?: number;
  steps?: DemoStep[];
  /** Cleans up and exits on SIGINT and SIGTERM (the command line does). */
  handleSignals?: boolean;
}

export interface DemoReport {
  passed: boolean;
  results: StepResult[];
  /** Temporary directory of the run, removed before runDemo returns. */
  workDir: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Inputs every step shares: ports, health probing and the balancer. */
function baseInputs(
  ports: [number, number],
  balancer: Balancer,
): Record<string, string> {
  return {
    service: DEMO_SERVICE,
    mode: 'deploy',
    port: '8080',
    'blue-port': String(ports[0]),
    'green-port': String(ports[1]),
    network: 'published',
    'publish-address': '127.0.0.1',
    'backend-host': '127.0.0.1',
    'health-path': '/healthz',
    'health-timeout': '20s',
    'health-interval': '250ms',
    'health-successes': '3',
    'keep-previous': '30m',
    'drain-timeout': '5s',
    ...balancer.inputs,
  };
}

/** Fetches the balancer once and returns the version served, or `none`. */
async function servedVersion(url: string): Promise<string> {
  // A referenced timer, unlike AbortSignal.timeout(), keeps Node running
  // while the request waits.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    const response = await fetch(url, {
      headers: { connection: 'close' },
      signal: controller.signal,
    });
    const body = (await response.json()) as { version?: string };
    return response.ok ? (body.version ?? 'none') : `HTTP ${response.status}`;
  } catch {
    return 'none';
  } finally {
    clearTimeout(timer);
  }
}

/** Returns the action's first error annotation, if it wrote one. */
function firstError(stdout: string): string | undefined {
  const line = stdout.split('\n').find((text) => text.startsWith('::error'));
  return line?.replace(/^::error[^:]*::/, '').split('%0A')[0];
}

/**
 * Returns why the action failed: its first error annotation, or the signal
 * that ended its process with the end of its stderr.
 */
function describeFailure(
  run: ActionRun,
  signal: NodeJS.Signals | null,
): string | undefined {
  if (run.exitCode === 0) return undefined;
  if (signal) {
    const stderr = run.stderr.trim().slice(-400) || 'empty';
    return `the action process ended by ${signal}; its stderr: ${stderr}`;
  }
  return firstError(run.stdout);
}

/** Shared state of the steps of one demo run. */
interface StepContext {
  balancer: Balancer;
  /** Base inputs, under each step's own inputs. */
  inputs: Record<string, string>;
  rate: number;
  environment: DemoEnvironment;
  /** Action processes running now, for a signal handler to stop. */
  running: Set<ChildProcess>;
}

/** Runs the bundled action once, tracked in `running` while it runs. */
async function runAction(
  context: StepContext,
  inputs: Record<string, string>,
): Promise<{ run: ActionRun; signal: NodeJS.Signals | null }> {
  const { child, done } = await startBundledAction(
    'blue-green-deploy',
    { ...context.inputs, ...inputs },
    { timeoutMs: 80_000 },
  );
  context.running.add(child);
  try {
    const run = await done;
    return { run, signal: child.signalCode };
  } finally {
    context.running.delete(child);
  }
}

/** Runs one step, under load when the step sets underLoad, and judges it. */
async function runStep(
  step: DemoStep,
  context: StepContext,
): Promise<StepResult> {
  const { balancer } = context;
  const stepInputs =
    typeof step.inputs === 'function'
      ? step.inputs(context.environment)
      : step.inputs;
  const load = step.underLoad
    ? startLoad(balancer.url, { rate: context.rate, maxDurationMs: 90_000 })
    : undefined;
  // Traffic flows before and after the action as well as during it.
  if (load) await sleep(500);
  const { run, signal } = await runAction(context, stepInputs);
  if (load) await sleep(500);
  const report = await load?.stop();
  const observed = {
    exitCode: run.exitCode,
    outputs: run.outputs,
    servedVersion: await servedVersion(balancer.url),
    load: report,
  };
  return {
    step: step.name,
    purpose: step.purpose,
    exitCode: run.exitCode,
    result: run.outputs.result || 'none',
    activeColor: run.outputs['active-color'] ?? '',
    activeImage: run.outputs['active-image'] ?? '',
    servedVersion: observed.servedVersion,
    durationMs: run.durationMs,
    load: report,
    error: describeFailure(run, signal),
    problems: judgeStep(step, observed),
  };
}

/**
 * Runs the demo from a clean slate and removes everything it created
 * (containers by label, HAProxy, temporary files) before it returns or
 * throws. Needs dockerd, Debian's haproxy and a built dist/.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const steps = options.steps ?? DEMO_STEPS;
  const cleanup = new Cleanup(print);
  const workDir = await mkdtemp(join(tmpdir(), 'resilience-demo-'));
  const previousTmpdir = process.env.TMPDIR;
  // The helpers create their temporary files under os.tmpdir(), so they
  // land in workDir, which the cleanup removes as a whole.
  process.env.TMPDIR = workDir;
  cleanup.add('temporary files', async () => {
    if (previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmpdir;
    await rm(workDir, { recursive: true, force: true });
  });
  const running = new Set<ChildProcess>();
  let interrupted = false;
  // Ctrl-C reaches the demo twice under tsx (from the terminal and relayed
  // by the tsx parent), so the handler stays installed and ignores repeats.
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    print(`${signal}: stopping the action and cleaning up`);
    // An action left running would create containers after the cleanup.
    for (const child of running) child.kill('SIGTERM');
    const code = signal === 'SIGINT' ? 130 : 143;
    void cleanup.run().finally(() => process.exit(code));
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  try {
    await buildDemoImages();
    await removeServiceContainers(DEMO_SERVICE);
    cleanup.add('containers', () => removeServiceContainers(DEMO_SERVICE));
    const ports: [number, number] = [await freePort(), await freePort()];
    const balancer = await startHaproxy(DEMO_SERVICE, ports);
    cleanup.add('HAProxy', () => balancer.stop());
    print(
      `HAProxy listens on ${balancer.url} (blue on 127.0.0.1:${ports[0]}, ` +
        `green on 127.0.0.1:${ports[1]}); load: ${options.rate ?? 250} req/s`,
    );

    const prometheus = await startPrometheus({
      scrapeTargets: ports.map((port) => `127.0.0.1:${port}`),
      scrapeInterval: '1s',
      waitForTargets: false,
    });
    cleanup.add('Prometheus', () => prometheus.stop());
    print(`Prometheus scrapes both colors every second at ${prometheus.url}`);

    const context: StepContext = {
      balancer,
      inputs: baseInputs(ports, balancer),
      rate: options.rate ?? 250,
      environment: {
        balancerUrl: balancer.url,
        extra: { prometheusUrl: prometheus.url },
      },
      running,
    };
    const results: StepResult[] = [];
    for (const [index, step] of steps.entries()) {
      print(`-- ${step.name}: ${step.purpose}`);
      const result = await runStep(step, context);
      results.push(result);
      print(formatStepLine(index + 1, steps.length, result));
    }
    const passed = results.every((result) => result.problems.length === 0);
    print(`\n${formatTable(results)}\n`);
    print(passed ? 'Demo passed.' : 'Demo FAILED: see UNEXPECTED above.');
    return { passed, results, workDir };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup.run();
  }
}

const invokedPath = process.argv[1] ? resolve(process.argv[1]) : '';
if (invokedPath === fileURLToPath(import.meta.url)) {
  runDemo({ handleSignals: true }).then(
    (report) => process.exit(report.passed ? 0 : 1),
    (error: unknown) => {
      console.error(`Demo failed: ${(error as Error)?.stack ?? error}`);
      process.exit(1);
    },
  );
}
