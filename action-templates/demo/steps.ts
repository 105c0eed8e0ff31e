import type { LoadReport } from '../../test/helpers/load.js';

/** Expected state after a demo step. */
export interface StepExpectation {
  /** Whether the action exits with code 0. */
  succeeds: boolean;
  /** The action's `result` output. */
  result: string;
  /** The action's `active-color` output. */
  activeColor: 'blue' | 'green';
  /** Version served through the load balancer after the step. */
  activeVersion: string;
  /** Versions that must not serve any request during the step. */
  neverServed: string[];
  /**
   * Failed requests the step may cause: 0 for a switch, more for a step
   * that sends a share of traffic to a version that fails on purpose.
   */
  maxFailedRequests: number;
}

/** Run-time values available to a step's inputs function. */
export interface DemoEnvironment {
  /** The balancer's frontend URL. */
  balancerUrl: string;
  /** Services the demo started for this run, such as a Prometheus URL. */
  extra: Record<string, string>;
}

/**
 * One run of blue-green-deploy in the demo. To add a step, append one to
 * DEMO_STEPS: the runner merges `inputs` over the demo's base inputs, runs
 * the bundled action and checks the result against `expect`.
 */
export interface DemoStep {
  name: string;
  /** One line for the reader: what the step shows. */
  purpose: string;
  /**
   * Action inputs for this step, over the demo's base inputs; a function
   * receives the run's environment for inputs known only at run time.
   */
  inputs:
    | Record<string, string>
    | ((environment: DemoEnvironment) => Record<string, string>);
  /** Whether steady load runs through the balancer during the step. */
  underLoad: boolean;
  expect: StepExpectation;
}

/** Lowest load rate, in requests per second, that counts as steady load. */
export const MIN_RATE = 200;

export const DEMO_STEPS: DemoStep[] = [
  {
    name: 'deploy v1',
    purpose: 'first deploy: blue becomes the live color',
    inputs: { image: 'resilience-demo:v1' },
    // Nothing is live before this step, so load would only count 503s.
    underLoad: false,
    expect: {
      succeeds: true,
      result: 'deployed',
      activeColor: 'blue',
      activeVersion: 'v1',
      neverServed: ['v3'],
      maxFailedRequests: 0,
    },
  },
  {
    name: 'deploy v2',
    purpose: 'green starts beside blue and takes over under load',
    inputs: { image: 'resilience-demo:v2' },
    underLoad: true,
    expect: {
      succeeds: true,
      result: 'deployed',
      activeColor: 'green',
      activeVersion: 'v2',
      neverServed: ['v3'],
      maxFailedRequests: 0,
    },
  },
  {
    name: 'deploy v3-crash',
    purpose: 'an image that exits at start never goes live',
    inputs: { image: 'resilience-demo:v3-crash' },
    underLoad: true,
    expect: {
      succeeds: false,
      result: 'failed',
      activeColor: 'green',
      activeVersion: 'v2',
      neverServed: ['v3'],
      maxFailedRequests: 0,
    },
  },
  {
    name: 'rollback',
    purpose: 'all traffic returns to v1 on blue',
    inputs: { mode: 'rollback' },
    underLoad: true,
    expect: {
      succeeds: true,
      result: 'rolled-back',
      activeColor: 'blue',
      activeVersion: 'v1',
      neverServed: ['v3'],
      maxFailedRequests: 0,
    },
  },
  {
    name: 'canary v2',
    purpose:
      'v2 takes 10%, then 50%, then all, with Prometheus analysis at each step',
    inputs: ({ extra }) => ({
      image: 'resilience-demo:v2',
      ...canaryInputs(extra),
    }),
    underLoad: true,
    expect: {
      succeeds: true,
      result: 'deployed',
      activeColor: 'green',
      activeVersion: 'v2',
      neverServed: ['v3'],
      maxFailedRequests: 0,
    },
  },
  {
    name: 'canary v3-failing',
    purpose: 'a canary that answers 500 is rolled back at its first step',
    inputs: ({ extra }) => ({
      image: 'resilience-demo:v3-failing',
      ...canaryInputs(extra),
    }),
    underLoad: true,
    expect: {
      succeeds: false,
      result: 'rolled-back',
      activeColor: 'green',
      activeVersion: 'v2',
      // The canary serves its 10% share until the first analysis round.
      neverServed: [],
      maxFailedRequests: 400,
    },
  },
];

/** Canary settings short enough for a demo: seconds per step. */
function canaryInputs(extra: Record<string, string>): Record<string, string> {
  return {
    steps: '10,50,100',
    'step-duration': '4s',
    'analysis-interval': '2s',
    'min-requests': '20',
    'prometheus-url': extra.prometheusUrl,
  };
}

/** Observations during and after one step. */
export interface StepObservation {
  exitCode: number;
  outputs: Record<string, string>;
  /** Version served through the balancer after the step. */
  servedVersion: string;
  /** Steady load during the step; absent for steps without load. */
  load?: LoadReport;
}

/**
 * Compares one step's observation with its expectation and returns every
 * difference as a sentence; an empty list means the step went as expected.
 */
export function judgeStep(step: DemoStep, observed: StepObservation): string[] {
  const { expect } = step;
  const problems: string[] = [];
  const succeeded = observed.exitCode === 0;
  if (succeeded !== expect.succeeds) {
    problems.push(
      `the action exited with code ${observed.exitCode}, expected ` +
        (expect.succeeds ? 'success' : 'a failure'),
    );
  }
  const compare = (what: string, actual: string, expected: string) => {
    if (actual !== expected) {
      problems.push(`${what} is "${actual}", expected "${expected}"`);
    }
  };
  compare('result', observed.outputs.result ?? '', expect.result);
  compare(
    'active color',
    observed.outputs['active-color'] ?? '',
    expect.activeColor,
  );
  compare(
    'active image',
    observed.outputs['active-image'] ?? '',
    `resilience-demo:${expect.activeVersion}`,
  );
  compare('served version', observed.servedVersion, expect.activeVersion);
  if (observed.load) problems.push(...judgeLoad(expect, observed.load));
  return problems;
}

/** Returns failed requests, a low rate and forbidden versions as problems. */
export function judgeLoad(expect: StepExpectation, load: LoadReport): string[] {
  const problems: string[] = [];
  if (load.failed > expect.maxFailedRequests) {
    const statuses = Object.entries(load.badStatus)
      .map(([code, count]) => `${count} x HTTP ${code}`)
      .join(', ');
    problems.push(
      `${load.failed} failed requests, more than ${expect.maxFailedRequests} ` +
        `(${statuses || 'no bad status'}, ` +
        `${load.connectionErrors} connection errors, ${load.slow} over 2 s)`,
    );
  }
  if (load.rate < MIN_RATE) {
    problems.push(
      `load ran at ${load.rate.toFixed(0)} req/s, under ${MIN_RATE} req/s`,
    );
  }
  for (const version of expect.neverServed) {
    const count = load.versions[version] ?? 0;
    if (count > 0) problems.push(`${version} served ${count} requests`);
  }
  return problems;
}
