import type Docker from 'dockerode';
import { errorMessage } from '../shared/errors.js';
import {
  colorCreateOptions,
  containerName,
  type ColorContainer,
} from './containers.js';
import type { Context } from './context.js';
import { isNotFound } from './docker.js';
import type { Color } from './routers/router.js';

/** Suffix of a color's container while a deploy has set it aside. */
export const SET_ASIDE_SUFFIX = '-set-aside';

/**
 * Creates and starts the target color from the live color's configuration.
 */
export async function startColor(
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
export async function park(
  context: Context,
  parked: ColorContainer,
): Promise<void> {
  const container = context.docker.getContainer(parked.id);
  if (parked.running) await container.stop();
  await container.rename({ name: `${parked.name}${SET_ASIDE_SUFFIX}` });
}

/** Puts a set-aside container back under its name, running if it was. */
export async function unpark(
  context: Context,
  parked: ColorContainer,
): Promise<void> {
  const container = context.docker.getContainer(parked.id);
  await container.rename({ name: parked.name });
  if (parked.running) await container.start();
}

/** Finds the container a deploy set aside for `color`, if any. */
export async function findSetAside(
  context: Context,
  color: Color,
): Promise<ColorContainer | undefined> {
  const name = containerName(context.settings.service, color);
  try {
    const info = await context.docker
      .getContainer(`${name}${SET_ASIDE_SUFFIX}`)
      .inspect();
    return {
      color,
      id: info.Id,
      name,
      image:
        info.Config.Labels?.['io.resilience-actions.image'] ??
        info.Config.Image,
      version: '',
      // It ran before the deploy set it aside; a restore starts it again.
      running: true,
      createdAt: '',
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
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
