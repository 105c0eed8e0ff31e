import { formatDuration } from '../shared/duration.js';
import { ConfigurationError } from '../shared/errors.js';
import { abortCanary } from './conclude.js';
import { backendsOf, healthUrls } from './containers.js';
import {
  readLive,
  shiftTraffic,
  type Context,
  type Outcome,
} from './context.js';
import { waitHealthy } from './health.js';
import { acquireLock, releaseLock } from './lock.js';
import { otherColor, type Backends } from './routers/router.js';

/**
 * Sends all traffic to the last fully promoted version. A canary that is
 * paused, mid-step or left by a crashed run is ended. Without one, traffic
 * returns to the previous color, which stays running out of the pool
 * during its rollback window.
 */
export function rollback(context: Context): Promise<Outcome> {
  return endDeploy(context, true);
}

/**
 * Ends a deploy in progress (paused, mid-step or left by a crashed run) and
 * changes nothing when there is none, so a workflow can run it after any
 * failed deploy without moving traffic to an older version.
 */
export function abort(context: Context): Promise<Outcome> {
  return endDeploy(context, false);
}

async function endDeploy(
  context: Context,
  toPrevious: boolean,
): Promise<Outcome> {
  await context.timeline.phase('Take deploy lock', () =>
    acquireLock(context, { takeOver: true }),
  );
  try {
    const { record } = await context.records.read();
    if (record.inProgress) {
      return await abortCanary(
        context,
        record.inProgress,
        `${context.settings.mode} requested while the deploy was in progress`,
      );
    }
    if (toPrevious) return await rollbackToPrevious(context);
    const promoted = record.promoted;
    return {
      result: 'unchanged',
      message: `No deploy of "${context.settings.service}" is in progress, so abort changed nothing.`,
      active: promoted
        ? { color: promoted.color, image: promoted.image }
        : undefined,
      previous: record.previous
        ? { color: record.previous.color, image: record.previous.image }
        : undefined,
      tables: [],
    };
  } finally {
    await releaseLock(context);
  }
}

async function rollbackToPrevious(context: Context): Promise<Outcome> {
  const { settings, timeline, docker } = context;
  const found = await readLive(context);
  const { live, colors } = found;
  const target = live ? otherColor(live) : found.record.previous?.color;
  const previous = target ? colors[target] : undefined;
  if (!target || !previous) {
    throw new ConfigurationError(
      `There is nothing to roll back to for service "${settings.service}": ` +
        `${live ? `${live} is live and ` : ''}no ${target ?? 'previous'} container is on the Docker host. ` +
        'The previous color is kept only for the keep-previous window after a deploy; deploy the older image with mode "deploy" instead.',
    );
  }

  const urls = healthUrls(settings, target, previous.replicas.length);
  await timeline.phase(
    `Check ${target}`,
    async () => {
      const results = await Promise.all(
        previous.replicas.map(async (replica, index) => {
          const container = docker.getContainer(replica.id);
          if (!replica.running) await container.start();
          return waitHealthy(
            docker,
            container,
            {
              url: urls[index],
              timeoutMs: settings.health.timeoutMs,
              intervalMs: Math.min(settings.health.intervalMs, 200),
              successes: replica.running ? 1 : settings.health.successes,
            },
            context.logger,
          );
        }),
      );
      const unhealthy = results.find((health) => !health.healthy);
      if (unhealthy) {
        throw new Error(
          `Rollback stopped: ${target} (${previous.image}) is not healthy, so its weight was not raised and ${live ?? 'the live color'} keeps serving. ${unhealthy.reason}`,
        );
      }
    },
    () => `${previous.image} healthy`,
  );

  const backends: Backends = backendsOf(settings, colors, [target, live]);
  await timeline.phase(
    'Switch traffic',
    () => shiftTraffic(context, { [target]: 100 }, backends),
    () => `${target} 100% (verified)`,
  );

  const now = new Date();
  const liveImage = live ? colors[live]?.image : undefined;
  const deploymentId = await context.deployments.start(
    previous.image,
    `Rollback to ${previous.image} as ${target}`,
  );
  await timeline.phase('Save deploy record', () =>
    context.records.update((record) => ({
      ...record,
      promoted: {
        color: target,
        image: previous.image,
        at: now.toISOString(),
        deploymentId,
      },
      previous:
        live && liveImage
          ? {
              color: live,
              image: liveImage,
              at: now.toISOString(),
              keepUntil: new Date(
                now.getTime() + settings.keepPreviousMs,
              ).toISOString(),
            }
          : undefined,
    })),
  );
  await context.deployments.succeed(
    deploymentId,
    found.record.promoted?.deploymentId,
    `Rolled back to ${previous.image} as ${target}`,
  );
  return {
    result: 'rolled-back',
    message: `Rolled back: ${previous.image} serves all traffic as ${target}${live ? `; ${live} (${liveImage}) is out of the pool and kept for ${formatDuration(settings.keepPreviousMs)}` : ''}.`,
    active: { color: target, image: previous.image },
    previous: live && liveImage ? { color: live, image: liveImage } : undefined,
    tables: [],
  };
}
