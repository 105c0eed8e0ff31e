import type Docker from 'dockerode';
import { formatDuration } from '../shared/duration.js';
import { ConfigurationError, errorMessage } from '../shared/errors.js';
import type { Round } from './analysis.js';
import { runSteps } from './canary.js';
import { abortCanary, finishPromotion } from './conclude.js';
import {
  healthUrls,
  listColors,
  removeColor,
  type ColorContainer,
} from './containers.js';
import { readLive, type Context, type Outcome } from './context.js';
import { waitHealthy } from './health.js';
import {
  acquireLock,
  LockLostError,
  releaseLock,
  renewLock,
  withLockHeartbeat,
} from './lock.js';
import { park, startColor, unpark } from './colors.js';
import type { InProgress } from './record.js';
import { otherColor, type Color } from './routers/router.js';
import { roundsTable } from './summary.js';

/** A deploy that ended without promoting; its outcome reports what is live. */
export class DeployFailedError extends Error {
  override readonly name = 'DeployFailedError';
  constructor(
    message: string,
    readonly outcome: Outcome,
  ) {
    super(message);
  }
}

/**
 * Deploys `settings.image` as the idle color: start it beside the live
 * color, prove it healthy, move traffic in the configured steps with
 * analysis at each, then promote it and keep the old color for rollback.
 */
export async function deploy(context: Context): Promise<Outcome> {
  await context.timeline.phase('Take deploy lock', () =>
    acquireLock(context, { image: context.settings.image }),
  );
  try {
    return await withLockHeartbeat(context, () => deployLocked(context));
  } finally {
    await releaseLock(context);
  }
}

async function deployLocked(context: Context): Promise<Outcome> {
  const { settings, timeline } = context;
  const image = settings.image!;
  let found = await readLive(context);

  const stale = found.record.inProgress;
  if (stale && !stale.paused && stale.owner !== settings.runRef) {
    // The run that started this canary ended without finishing it.
    await timeline.phase('Recover unfinished deploy', () =>
      abortCanary(
        context,
        stale,
        `run ${stale.owner} stopped before finishing`,
      ),
    );
    found = await readLive(context);
  } else if (stale?.paused) {
    throw new ConfigurationError(
      `A deploy of ${stale.image} is paused at ${stale.steps[stale.stepIndex]}% on ${stale.color}. Run mode "promote" to continue it or "rollback" to end it before deploying again.`,
    );
  }
  const { colors, record, state } = found;
  // A color the balancer serves without a container of ours (a placeholder,
  // or a service deployed by other means) is replaced as on a first deploy.
  const live = found.live && colors[found.live] ? found.live : undefined;
  const liveContainer = live ? colors[live] : undefined;

  if (live && liveContainer?.image === image && state.weights[live] === 100) {
    timeline.skip('Deploy', `${image} already serves all traffic as ${live}`);
    return {
      result: 'unchanged',
      message: `${image} already serves all traffic as ${live}; nothing changed.`,
      active: { color: live, image },
      previous: record.previous
        ? { color: record.previous.color, image: record.previous.image }
        : undefined,
      tables: [],
    };
  }

  const target = chooseTarget(live, found.live, colors);
  const replicas = settings.replicas ?? liveContainer?.replicas.length ?? 1;
  checkPortRanges(settings, replicas);
  const deploymentId = await context.deployments.start(
    image,
    `Deploying ${image} as ${target}`,
  );
  // The deploy is on record before any container changes, so a rollback,
  // the post step or the next run can end it from any later point.
  const progress: InProgress = {
    color: target,
    image,
    steps: live ? settings.canary.steps : [100],
    stepIndex: -1,
    paused: false,
    owner: settings.runRef,
    startedAt: new Date().toISOString(),
    deploymentId,
    replicas,
  };
  await context.records.update((current) => ({
    ...current,
    inProgress: progress,
  }));
  // The target slot may hold the previous version, kept for rollback. It is
  // stopped and set aside, so a failed deploy can put it back.
  const parked = colors[target];
  if (parked) {
    await timeline.phase(
      `Set aside old ${target}`,
      () => park(context, parked),
      () => parked.image,
    );
  }
  const failure = await startHealthy(
    context,
    target,
    image,
    liveContainer,
    replicas,
  );
  // A rollback that took the lock over has already cleaned up.
  await renewLock(context);
  if (failure) {
    const started = (await listColors(context.docker, settings.service))[
      target
    ];
    if (started) {
      await timeline.phase(`Remove ${target}`, () =>
        removeColor(context.docker, started),
      );
    }
    if (parked) {
      await timeline.phase(
        `Restore old ${target}`,
        () => unpark(context, parked),
        () => parked.image,
      );
    }
    const message =
      `The new ${target} color (${image}) did not start healthy, so traffic was not moved` +
      `${live ? ` and ${live} still serves it all` : ''}; its containers were removed. ` +
      `Reason: ${failure}`;
    await context.deployments.status(
      deploymentId,
      'failure',
      `${image} did not start healthy; traffic was not moved`,
    );
    await context.records.update(
      ({ inProgress: _failed, ...record }) => record,
    );
    throw new DeployFailedError(message, {
      result: 'failed',
      message,
      active: liveContainer
        ? { color: live!, image: liveContainer.image }
        : undefined,
      previous: record.previous
        ? { color: record.previous.color, image: record.previous.image }
        : undefined,
      tables: [],
    });
  }

  return advance(context, progress, live);
}

/**
 * Runs the remaining steps of `progress` and concludes: promotion, a pause
 * at the manual gate, or an automatic rollback.
 */
export async function advance(
  context: Context,
  progress: InProgress,
  stable: Color | undefined,
): Promise<Outcome> {
  const rounds: Round[] = [];
  let result: Awaited<ReturnType<typeof runSteps>>;
  try {
    result = await runSteps(context, progress, stable, rounds);
  } catch (error) {
    if (error instanceof LockLostError) throw error;
    // A step that failed half way (a balancer rejecting the change, a
    // configuration mistake found late) ends the deploy the same way.
    result = { kind: 'failed', reason: errorMessage(error) };
  }
  const tables = rounds.length > 0 ? [roundsTable(rounds)] : [];
  if (result.kind === 'promoted') {
    const outcome = await finishPromotion(context, progress, stable);
    return { ...outcome, tables: [...outcome.tables, ...tables] };
  }
  if (result.kind === 'paused') {
    return {
      result: 'paused',
      message: `${progress.image} takes ${result.weight}% of traffic as ${progress.color} and waits at the manual gate. Run mode "promote" to continue or "rollback" to end it.`,
      active: stable
        ? { color: stable, image: await imageOf(context, stable) }
        : undefined,
      canary: {
        color: progress.color,
        image: progress.image,
        weight: result.weight,
      },
      tables,
    };
  }
  const outcome = await abortCanary(context, progress, result.reason);
  const message = `Analysis ended the deploy of ${progress.image} and traffic went back to ${stable}: ${result.reason}.`;
  throw new DeployFailedError(message, {
    ...outcome,
    result: 'rolled-back',
    message,
    tables: [...outcome.tables, ...tables],
  });
}

/** Continues a deploy paused at its manual gate. */
export async function promote(context: Context): Promise<Outcome> {
  await context.timeline.phase('Take deploy lock', () => acquireLock(context));
  try {
    const { record } = await context.records.read();
    const progress = record.inProgress;
    if (!progress?.paused) {
      throw new ConfigurationError(
        `No deploy of service "${context.settings.service}" is paused at a manual gate, so there is nothing to promote. Start one with mode "deploy" and the manual-gate input.`,
      );
    }
    return await withLockHeartbeat(context, () =>
      advance(
        context,
        { ...progress, paused: false },
        otherColor(progress.color),
      ),
    );
  } finally {
    await releaseLock(context);
  }
}

/**
 * Starts the target color's replicas and waits until each passes its
 * health probe several times in a row. Returns why it failed, or undefined.
 */
async function startHealthy(
  context: Context,
  target: Color,
  image: string,
  live: ColorContainer | undefined,
  replicas: number,
): Promise<string | undefined> {
  const { settings, timeline } = context;
  let containers: Docker.Container[];
  try {
    containers = await timeline.phase(
      `Start ${target}`,
      () => startColor(context, target, image, live, replicas),
      () => `${replicas} x ${image} as ${target}`,
    );
  } catch (error) {
    return `could not start: ${errorMessage(error)}`;
  }
  const urls = healthUrls(settings, target, replicas);
  try {
    await timeline.phase(
      'Health check',
      async () => {
        const results = await Promise.all(
          containers.map((container, index) =>
            waitHealthy(
              context.docker,
              container,
              {
                url: urls[index],
                timeoutMs: settings.health.timeoutMs,
                intervalMs: settings.health.intervalMs,
                successes: settings.health.successes,
              },
              context.logger,
            ),
          ),
        );
        const failed = results.findIndex((result) => !result.healthy);
        if (failed >= 0) {
          const which = replicas > 1 ? ` (replica ${failed + 1})` : '';
          throw new Error(
            `never became healthy${which}: ${results[failed].reason}`,
          );
        }
        return results;
      },
      (results) =>
        `${replicas} replica(s) healthy after ${formatDuration(Math.max(...results.map((r) => r.elapsedMs)))}`,
    );
  } catch (error) {
    return errorMessage(error);
  }
  return undefined;
}

/**
 * Checks that the host ports of both colors' replicas do not overlap:
 * replica N listens on the color's port plus N - 1.
 */
function checkPortRanges(settings: Context['settings'], replicas: number) {
  if (settings.topology.kind === 'network' || replicas <= 1) return;
  const { blue, green } = settings.colorPorts;
  if (Math.abs(blue - green) < replicas) {
    throw new ConfigurationError(
      `Inputs "blue-port" (${blue}) and "green-port" (${green}) are ${Math.abs(blue - green)} apart, but ${replicas} replicas per color use ports ${blue} to ${blue + replicas - 1} and ${green} to ${green + replicas - 1}. Set them at least ${replicas} apart.`,
    );
  }
}

/**
 * Picks the color to deploy: the one the balancer does not serve. When the
 * balancer serves a color whose containers are gone, that color is
 * replaced, so a kept previous color stays available for rollback.
 */
function chooseTarget(
  live: Color | undefined,
  served: Color | undefined,
  colors: Partial<Record<Color, ColorContainer>>,
): Color {
  if (live) return otherColor(live);
  if (served) return served;
  return colors.blue && !colors.green ? 'green' : 'blue';
}

async function imageOf(context: Context, color: Color): Promise<string> {
  const colors = await listColors(context.docker, context.settings.service);
  return colors[color]?.image ?? '';
}
