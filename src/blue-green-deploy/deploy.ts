import type Docker from 'dockerode';
import { formatDuration } from '../shared/duration.js';
import { errorMessage } from '../shared/errors.js';
import {
  backendAddress,
  colorCreateOptions,
  listColors,
  removeContainer,
  type ColorContainer,
} from './containers.js';
import { isNotFound } from './docker.js';
import {
  liveColor,
  shiftTraffic,
  type Context,
  type Outcome,
} from './context.js';
import { sleep, waitHealthy } from './health.js';
import { otherColor, type Backends, type Color } from './routers/router.js';

/** A deploy that stopped before traffic moved; the live color still serves. */
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
 * color, prove it healthy, move all traffic, verify, drain the old color
 * and keep it for rollback.
 */
export async function deploy(context: Context): Promise<Outcome> {
  const { settings, timeline } = context;
  const image = settings.image!;

  const found = await timeline.phase(
    'Read live state',
    async () => {
      const state = await context.router.read();
      const colors = await listColors(context.docker, settings.service);
      const { record } = await context.records.read();
      return { state, colors, record, live: liveColor(state) };
    },
    (found) => (found.live ? `live: ${found.live}` : 'no live color'),
  );
  const { live, colors, record } = found;
  const liveContainer = live ? colors[live] : undefined;

  if (
    live &&
    liveContainer?.image === image &&
    found.state.weights[live] === 100
  ) {
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

  const target: Color = live ? otherColor(live) : 'blue';
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
  const container = await timeline.phase(
    `Start ${target}`,
    () => startColor(context, target, image, liveContainer),
    () => `${image} as ${target}`,
  );

  const health = await timeline.phase(
    'Health check',
    () =>
      waitHealthy(
        context.docker,
        container,
        {
          url: `http://${backendAddress(settings, target)}${settings.health.path}`,
          timeoutMs: settings.health.timeoutMs,
          intervalMs: settings.health.intervalMs,
          successes: settings.health.successes,
        },
        context.logger,
      ),
    (result) =>
      `${result.probes} probes in ${formatDuration(result.elapsedMs)}`,
  );
  if (!health.healthy) {
    await timeline.phase(`Remove ${target}`, () =>
      removeContainer(context.docker, container.id),
    );
    if (parked) {
      await timeline.phase(
        `Restore old ${target}`,
        () => unpark(context, parked),
        () => parked.image,
      );
    }
    const message =
      `The new ${target} container (${image}) never became healthy, so traffic was not moved` +
      `${live ? ` and ${live} still serves it all` : ''}. The container was removed. Reason: ${health.reason}`;
    throw new DeployFailedError(message, {
      result: 'failed',
      message,
      active: liveContainer
        ? { color: live!, image: liveContainer.image }
        : undefined,
      tables: [],
    });
  }

  const backends: Backends = { [target]: backendAddress(settings, target) };
  if (live) backends[live] = backendAddress(settings, live);
  await timeline.phase(
    'Switch traffic',
    () => shiftTraffic(context, { [target]: 100 }, backends),
    () => `${target} 100%${live ? `, ${live} out of the pool` : ''} (verified)`,
  );

  if (parked) {
    await timeline.phase(`Remove old ${target}`, () =>
      removeContainer(context.docker, parked.id),
    );
  }
  if (live) {
    await timeline.phase(
      'Drain old color',
      () => drain(context, live),
      (open) =>
        open === undefined
          ? 'balancer reports no session counts'
          : `${open} requests open at the end`,
    );
  }

  const now = new Date();
  await timeline.phase('Save deploy record', () =>
    context.records.write(
      {
        ...record,
        promoted: { color: target, image, at: now.toISOString() },
        previous: liveContainer
          ? {
              color: live!,
              image: liveContainer.image,
              at: now.toISOString(),
              keepUntil: new Date(
                now.getTime() + settings.keepPreviousMs,
              ).toISOString(),
            }
          : undefined,
      },
      image,
    ),
  );

  return {
    result: 'deployed',
    message: `${image} serves all traffic as ${target}${live ? `; ${live} (${liveContainer?.image}) is kept for rollback for ${formatDuration(settings.keepPreviousMs)}` : ''}.`,
    active: { color: target, image },
    previous: liveContainer
      ? { color: live!, image: liveContainer.image }
      : undefined,
    tables: [],
  };
}

/**
 * Creates and starts the target color from the live color's configuration.
 * A leftover container of the target color is replaced: it is out of the
 * pool, or it would be the live color.
 */
async function startColor(
  context: Context,
  target: Color,
  image: string,
  live: ColorContainer | undefined,
): Promise<Docker.Container> {
  const { docker, settings, logger } = context;
  await ensureImage(docker, image);
  let template: Parameters<typeof colorCreateOptions>[3];
  if (live) {
    const liveInfo = await docker.getContainer(live.id).inspect();
    let imageInfo: Docker.ImageInspectInfo | undefined;
    try {
      imageInfo = await docker.getImage(liveInfo.Image).inspect();
    } catch (error) {
      logger.warning(
        `The live image ${live.image} is gone from the host, so values it set cannot be told from the user's; they are all copied. (${errorMessage(error)})`,
      );
    }
    template = { container: liveInfo, image: imageInfo };
  }
  const options = colorCreateOptions(settings, target, image, template);
  logger.debug(`create options: ${JSON.stringify(options)}`);
  const container = await docker.createContainer(options);
  await container.start();
  return container;
}

/** Stops a color's container and renames it, freeing its name and port. */
async function park(context: Context, parked: ColorContainer): Promise<void> {
  const container = context.docker.getContainer(parked.id);
  if (parked.running) await container.stop();
  await container.rename({ name: `${parked.name}-set-aside` });
}

/** Puts a set-aside container back under its name, running if it was. */
async function unpark(context: Context, parked: ColorContainer): Promise<void> {
  const container = context.docker.getContainer(parked.id);
  await container.rename({ name: parked.name });
  if (parked.running) await container.start();
}

/** Pulls the image unless the host has it already. */
async function ensureImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error) =>
      error ? reject(error) : resolve(),
    ),
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
