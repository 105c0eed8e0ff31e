import type Docker from 'dockerode';
import { errorMessage } from '../shared/errors.js';
import {
  colorCreateOptions,
  listColors,
  SET_ASIDE,
  type ColorContainer,
} from './containers.js';
import type { Context } from './context.js';
import { isNotFound } from './docker.js';
import type { Color } from './routers/router.js';

/**
 * Creates and starts `count` replicas of the target color from the live
 * color's configuration.
 */
export async function startColor(
  context: Context,
  target: Color,
  image: string,
  live: ColorContainer | undefined,
  count: number,
): Promise<Docker.Container[]> {
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
        `The live image ${live.image} is gone from the host, so values it set cannot be distinguished from the user's, and all are copied. (${errorMessage(error)})`,
      );
    }
    template = { container: liveInfo, image: imageInfo };
  }
  const containers: Docker.Container[] = [];
  for (let replica = 1; replica <= count; replica += 1) {
    const options = colorCreateOptions(
      settings,
      target,
      image,
      template,
      replica,
    );
    logger.debug(`create options: ${JSON.stringify(options)}`);
    const container = await docker.createContainer(options);
    containers.push(container);
    await container.start();
  }
  return containers;
}

/** Stops a color's replicas and renames them, freeing their names and ports. */
export async function park(
  context: Context,
  parked: ColorContainer,
): Promise<void> {
  for (const replica of parked.replicas) {
    const container = context.docker.getContainer(replica.id);
    if (replica.running) await container.stop();
    await container.rename({ name: `${replica.name}${SET_ASIDE}` });
  }
}

/**
 * Puts set-aside replicas back under their names and starts them: they
 * ran, kept for rollback, before a deploy set them aside.
 */
export async function unpark(
  context: Context,
  parked: ColorContainer,
): Promise<void> {
  for (const replica of parked.replicas) {
    const container = context.docker.getContainer(replica.id);
    await container.rename({ name: replica.name.replace(SET_ASIDE, '') });
    await container.start().catch((error: { statusCode?: number }) => {
      // 304: the container already runs.
      if (error.statusCode !== 304) throw error;
    });
  }
}

/** Finds the replicas a deploy set aside for `color`, if any. */
export async function findSetAside(
  context: Context,
  color: Color,
): Promise<ColorContainer | undefined> {
  const colors = await listColors(context.docker, context.settings.service, {
    setAside: true,
  });
  return colors[color];
}

/** Pulls the image unless the host has it already. */
async function ensureImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  } catch (error) {
    throw new Error(
      `image ${image} is not on the Docker host and pulling it failed (${errorMessage(error)}). Load or build it on the host, or check the registry name and its credentials`,
      { cause: error },
    );
  }
}
