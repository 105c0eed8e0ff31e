import type Docker from 'dockerode';
import type { Logger } from '../shared/logger.js';
import { listColors } from './containers.js';
import { sleep } from './health.js';
import type { Settings } from './inputs.js';
import { Deployments } from './deployments.js';
import { RecordStore } from './record.js';
import {
  COLORS,
  type Backends,
  type Color,
  type Router,
  type RouterState,
  type Weights,
} from './routers/router.js';
import { Timeline } from './timeline.js';

/** Settings, clients and timeline shared by every mode. */
export interface Context {
  settings: Settings;
  docker: Docker;
  router: Router;
  records: RecordStore;
  logger: Logger;
  timeline: Timeline;
  deployments: Deployments;
}

export function createContext(
  settings: Settings,
  docker: Docker,
  router: Router,
  logger: Logger,
): Context {
  return {
    settings,
    docker,
    router,
    records: new RecordStore(docker, settings.service),
    logger,
    timeline: new Timeline(logger),
    deployments: new Deployments(settings.deployment, logger),
  };
}

/** The outcome of a run, as outputs and the job summary report it. */
export interface Outcome {
  result:
    | 'deployed'
    | 'paused'
    | 'unchanged'
    | 'rolled-back'
    | 'status'
    | 'cleaned'
    | 'failed';
  message: string;
  active?: { color: Color; image: string };
  previous?: { color: Color; image: string };
  /** A canary that has part of the traffic, while a deploy is paused. */
  canary?: { color: Color; image: string; weight: number };
  /** Extra tables for the summary: a title, a header and rows. */
  tables: { title: string; header: string[]; rows: string[][] }[];
}

/** Returns the color with the largest share, or undefined for an empty pool. */
export function liveColor(state: RouterState): Color | undefined {
  let best: Color | undefined;
  for (const color of COLORS) {
    const weight = state.weights[color] ?? 0;
    if (
      weight > 0 &&
      (best === undefined || weight > (state.weights[best] ?? 0))
    ) {
      best = color;
    }
  }
  return best;
}

/**
 * Applies weights, then reads the balancer until it shows them. Reading
 * back is what makes a change count; it retries for a few seconds because
 * some balancers apply changes asynchronously.
 */
export async function shiftTraffic(
  context: Context,
  weights: Weights,
  backends: Backends,
): Promise<void> {
  await context.router.apply(weights, backends);
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await context.router.verify(weights, backends);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/**
 * Reads what the balancer serves, the service's color containers and the
 * deploy record, as one timeline phase.
 */
export async function readLive(context: Context) {
  return context.timeline.phase(
    'Read live state',
    async () => {
      const state = await context.router.read();
      const colors = await listColors(context.docker, context.settings.service);
      const { record } = await context.records.read();
      return { state, colors, record, live: liveColor(state) };
    },
    (found) => (found.live ? `live: ${found.live}` : 'no live color'),
  );
}
