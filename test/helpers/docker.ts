import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const exec = promisify(execFile);
const buildScript = fileURLToPath(
  new URL(
    '../../action-templates/demo/service/build-images.sh',
    import.meta.url,
  ),
);

export const docker = new Docker();

/** Builds the demo images (resilience-demo:v1, :v2, :v3-*) once per process. */
let built: Promise<unknown> | undefined;
export function buildDemoImages(): Promise<unknown> {
  built ??= exec('bash', [buildScript], { timeout: 120_000 });
  return built;
}

/**
 * Removes every container that blue-green-deploy created for `service`,
 * colors and deploy records alike, so a container left with a restart
 * policy by an earlier run cannot hold a port.
 */
export async function removeServiceContainers(service: string): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`io.resilience-actions.service=${service}`] },
  });
  await Promise.all(
    containers.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Names of the service's containers that exist now, sorted. */
export async function serviceContainerNames(
  service: string,
): Promise<string[]> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`io.resilience-actions.service=${service}`] },
  });
  return containers.map((info) => info.Names[0].replace(/^\//, '')).sort();
}
