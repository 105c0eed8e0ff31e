import { formatDuration } from '../shared/duration.js';
import { findSetAside, unpark } from './colors.js';
import {
  backendsOf,
  healthUrls,
  listColors,
  removeColor,
} from './containers.js';
import { shiftTraffic, type Context, type Outcome } from './context.js';
import { lastLogLines } from './docker.js';
import { probeAll, sleep } from './health.js';
import type { InProgress } from './record.js';
import { otherColor, type Backends, type Color } from './routers/router.js';

/**
 * Concludes a deploy whose canary took all traffic: drain the old color,
 * keep it for the rollback window, drop the version it replaced and
 * record the promotion.
 */
export async function finishPromotion(
  context: Context,
  progress: InProgress,
  stable: Color | undefined,
): Promise<Outcome> {
  const { settings, timeline, docker } = context;
  const colors = await listColors(docker, settings.service);
  const stableContainer = stable ? colors[stable] : undefined;
  const setAside = await findSetAside(context, progress.color);
  if (setAside) {
    await timeline.phase(`Remove old ${progress.color}`, () =>
      removeColor(docker, setAside),
    );
  }
  if (stable && stableContainer) {
    await timeline.phase(
      'Drain old color',
      () => drain(context, stable),
      (open) =>
        open === undefined
          ? 'balancer reports no request counts'
          : `${open} requests open at the end`,
    );
  }
  const now = new Date();
  const replaced = (await context.records.read()).record.promoted;
  await timeline.phase('Save deploy record', () =>
    context.records.update(({ inProgress: _done, ...record }) => ({
      ...record,
      promoted: {
        color: progress.color,
        image: progress.image,
        at: now.toISOString(),
        deploymentId: progress.deploymentId,
      },
      previous: stableContainer
        ? {
            color: stable!,
            image: stableContainer.image,
            at: now.toISOString(),
            keepUntil: new Date(
              now.getTime() + settings.keepPreviousMs,
            ).toISOString(),
          }
        : undefined,
    })),
  );
  await context.deployments.succeed(
    progress.deploymentId,
    replaced?.deploymentId,
    `${progress.image} serves all traffic as ${progress.color}`,
  );
  return {
    result: 'deployed',
    message: `${progress.image} serves all traffic as ${progress.color}${stableContainer ? `; ${stable} (${stableContainer.image}) is kept for rollback for ${formatDuration(settings.keepPreviousMs)}` : ''}.`,
    active: { color: progress.color, image: progress.image },
    previous: stableContainer
      ? { color: stable!, image: stableContainer.image }
      : undefined,
    tables: [],
  };
}

/**
 * Ends a canary: all traffic back to the stable color, then the canary
 * container is removed and the version it replaced is put back. The
 * stable color must pass its health probe first; an unhealthy side never
 * gets more traffic, and the canary then keeps its share.
 */
export async function abortCanary(
  context: Context,
  progress: InProgress,
  reason: string,
): Promise<Outcome> {
  const { settings, timeline, docker, logger } = context;
  const stable = otherColor(progress.color);
  const colors = await listColors(docker, settings.service);
  const stableContainer = colors[stable];
  const canaryContainer = colors[progress.color];
  logger.warning(`Ending the deploy of ${progress.image}: ${reason}`);

  if (stableContainer) {
    await timeline.phase(`Check ${stable}`, () =>
      requireHealthy(context, stable, stableContainer.replicas.length),
    );
    const backends: Backends = backendsOf(settings, colors, [
      stable,
      progress.color,
    ]);
    await timeline.phase(
      `Traffic back to ${stable}`,
      () => shiftTraffic(context, { [stable]: 100 }, backends),
      () => `${stable} 100% (verified)`,
    );
  }
  let logs = '';
  if (canaryContainer) {
    logs = await lastLogLines(docker.getContainer(canaryContainer.id));
    await timeline.phase(`Remove ${progress.color}`, () =>
      removeColor(docker, canaryContainer),
    );
  }
  const setAside = await findSetAside(context, progress.color);
  if (setAside) {
    await timeline.phase(`Restore old ${progress.color}`, () =>
      unpark(context, setAside),
    );
  }
  await context.records.update(({ inProgress: _ended, ...record }) => record);
  await context.deployments.status(
    progress.deploymentId,
    'failure',
    `Ended and rolled back: ${reason}`,
  );
  return {
    result: 'rolled-back',
    message: `The deploy of ${progress.image} ended and ${stable} serves all traffic: ${reason}.`,
    active: stableContainer
      ? { color: stable, image: stableContainer.image }
      : undefined,
    tables: logs
      ? [
          {
            title: `Last log lines of ${progress.color}`,
            header: ['line'],
            rows: logs.split('\n').map((l) => [l]),
          },
        ]
      : [],
  };
}

async function requireHealthy(
  context: Context,
  color: Color,
  replicas: number,
): Promise<void> {
  const urls = healthUrls(context.settings, color, replicas);
  let outcome = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    outcome = await probeAll(urls, 2000);
    if (outcome === 'ok') return;
    await sleep(200);
  }
  throw new Error(
    `${color} failed its health probe (${outcome}), so its weight was not raised; traffic stays as it is. Fix ${color} or deploy again.`,
  );
}

/**
 * Waits for the balancer to report no open requests on the old color, up
 * to the drain timeout. Returns the count left, or undefined when the
 * balancer does not report counts.
 */
async function drain(
  context: Context,
  color: Color,
): Promise<number | undefined> {
  const sessions = context.router.activeSessions?.bind(context.router);
  if (!sessions) return undefined;
  const deadline = Date.now() + context.settings.drainTimeoutMs;
  let open = await sessions(color);
  while (open > 0 && Date.now() < deadline) {
    await sleep(100);
    open = await sessions(color);
  }
  if (open > 0) {
    context.logger.warning(
      `${open} requests were still open on ${color} after the drain timeout of ${formatDuration(context.settings.drainTimeoutMs)}; it stays running, out of the pool, so they can finish.`,
    );
  }
  return open;
}
