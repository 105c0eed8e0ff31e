import type Docker from 'dockerode';
import { isNotFound } from './docker.js';
import type { Settings } from './inputs.js';
import { LABELS, versionOf } from './labels.js';
import type { Color } from './routers/router.js';

/** Environment variable that tells a container its color. */
export const COLOR_ENV = 'RESILIENCE_COLOR';

/** A color's container as found on the Docker host. */
export interface ColorContainer {
  color: Color;
  id: string;
  name: string;
  image: string;
  version: string;
  running: boolean;
  createdAt: string;
}

export function containerName(service: string, color: Color): string {
  return `${service}-${color}`;
}

/** Where the balancer and the health probe reach a color. */
export function backendAddress(settings: Settings, color: Color): string {
  if (settings.topology.kind === 'network') {
    return `${containerName(settings.service, color)}:${settings.port}`;
  }
  return `${settings.backendHost}:${settings.colorPorts[color]}`;
}

/** Lists the service's color containers, running or not. */
export async function listColors(
  docker: Docker,
  service: string,
): Promise<Partial<Record<Color, ColorContainer>>> {
  const containers = await docker.listContainers({
    all: true,
    filters: {
      label: [`${LABELS.service}=${service}`, `${LABELS.role}=color`],
    },
  });
  const result: Partial<Record<Color, ColorContainer>> = {};
  for (const info of containers) {
    if (
      info.Labels[LABELS.role] !== 'color' ||
      info.Labels[LABELS.service] !== service
    ) {
      continue;
    }
    const color = info.Labels[LABELS.color] as Color;
    // A container set aside by a deploy in progress is not its color's.
    if (info.Names.some((name) => name.endsWith('-set-aside'))) continue;
    if (color !== 'blue' && color !== 'green') continue;
    result[color] = {
      color,
      id: info.Id,
      name: info.Names[0]?.replace(/^\//, '') ?? info.Id,
      image: info.Labels[LABELS.image] ?? info.Image,
      version: info.Labels[LABELS.version] ?? versionOf(info.Image),
      running: info.State === 'running',
      createdAt: info.Labels[LABELS.createdAt] ?? '',
    };
  }
  return result;
}

/** Removes a container by name or id; a missing one is not an error. */
export async function removeContainer(
  docker: Docker,
  nameOrId: string,
): Promise<void> {
  try {
    await docker.getContainer(nameOrId).remove({ force: true, v: false });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * Builds the create options of a color from the live color's container, so
 * the new color runs with the same environment, mounts, restart policy,
 * labels and network settings. Only the image and what belongs to the color
 * (name, color labels, port, color variable) change. Values that came from
 * the old image rather than the user are dropped, so the new image's own
 * defaults apply.
 */
export function colorCreateOptions(
  settings: Settings,
  color: Color,
  image: string,
  template?: {
    container: Docker.ContainerInspectInfo;
    image?: Docker.ImageInspectInfo;
  },
): Docker.ContainerCreateOptions {
  const config = template?.container.Config;
  const imageConfig = template?.image?.Config;
  const ownEnv = new Set([COLOR_ENV, portEnvName(settings)].filter(Boolean));
  const imageEnv = new Set(imageConfig?.Env ?? []);
  const env = new Map<string, string>();
  for (const entry of config?.Env ?? []) {
    if (imageEnv.has(entry)) continue;
    const [key, ...rest] = entry.split('=');
    if (!ownEnv.has(key)) env.set(key, rest.join('='));
  }
  for (const [key, value] of Object.entries(settings.env)) env.set(key, value);
  env.set(COLOR_ENV, color);
  if (settings.topology.kind === 'host') {
    env.set(settings.topology.portEnv, String(settings.colorPorts[color]));
  }

  const labels: Record<string, string> = {};
  const imageLabels = imageConfig?.Labels ?? {};
  for (const [key, value] of Object.entries(config?.Labels ?? {})) {
    if (key.startsWith('com.docker.compose.')) continue;
    if (imageLabels[key] === value || key in LABELS_BY_NAME) continue;
    labels[key] = value;
  }
  Object.assign(labels, {
    [LABELS.service]: settings.service,
    [LABELS.role]: 'color',
    [LABELS.color]: color,
    [LABELS.image]: image,
    [LABELS.version]: versionOf(image),
    [LABELS.createdBy]: settings.runRef,
    [LABELS.createdAt]: new Date().toISOString(),
  });

  const portKey = `${settings.port}/tcp`;
  const hostConfig: Docker.HostConfig = {
    ...(template?.container.HostConfig ?? {
      RestartPolicy: { Name: 'unless-stopped' },
      Init: true,
    }),
  };
  delete hostConfig.PortBindings;
  const options: Docker.ContainerCreateOptions = {
    name: containerName(settings.service, color),
    Image: image,
    Env: [...env].map(([key, value]) => `${key}=${value}`),
    Labels: labels,
    HostConfig: hostConfig,
  };
  // Command, user and working directory are kept only where the user set
  // them; otherwise the new image's own values apply.
  if (config && !sameJson(config.Cmd, imageConfig?.Cmd))
    options.Cmd = config.Cmd;
  if (config && !sameJson(config.Entrypoint, imageConfig?.Entrypoint)) {
    options.Entrypoint = config.Entrypoint;
  }
  if (config?.User && config.User !== imageConfig?.User)
    options.User = config.User;
  if (config?.WorkingDir && config.WorkingDir !== imageConfig?.WorkingDir) {
    options.WorkingDir = config.WorkingDir;
  }
  const stopSignal = (config as { StopSignal?: string } | undefined)
    ?.StopSignal;
  if (stopSignal) options.StopSignal = stopSignal;
  if (config?.Healthcheck) options.Healthcheck = config.Healthcheck;

  applyTopology(
    settings,
    color,
    options,
    hostConfig,
    portKey,
    template?.container,
  );
  return options;
}

function applyTopology(
  settings: Settings,
  color: Color,
  options: Docker.ContainerCreateOptions,
  hostConfig: Docker.HostConfig,
  portKey: string,
  template?: Docker.ContainerInspectInfo,
) {
  const topology = settings.topology;
  if (topology.kind === 'host') {
    hostConfig.NetworkMode = 'host';
    return;
  }
  options.ExposedPorts = { [portKey]: {} };
  if (topology.kind === 'published') {
    if (hostConfig.NetworkMode === 'host') hostConfig.NetworkMode = 'default';
    hostConfig.PortBindings = {
      [portKey]: [
        {
          HostIp: topology.publishAddress,
          HostPort: String(settings.colorPorts[color]),
        },
      ],
    };
    return;
  }
  hostConfig.NetworkMode = topology.network;
  const aliases: string[] | undefined =
    template?.NetworkSettings?.Networks?.[topology.network]?.Aliases;
  options.NetworkingConfig = {
    EndpointsConfig: {
      [topology.network]: {
        Aliases: [
          ...new Set([
            ...(aliases ?? []).filter(
              (alias) =>
                !/^[0-9a-f]{12}$/.test(alias) &&
                alias !== containerName(settings.service, 'blue') &&
                alias !== containerName(settings.service, 'green'),
            ),
            containerName(settings.service, color),
          ]),
        ],
      },
    },
  };
}

const LABELS_BY_NAME: Record<string, true> = Object.fromEntries(
  Object.values(LABELS).map((name) => [name, true]),
);

function portEnvName(settings: Settings): string {
  return settings.topology.kind === 'host' ? settings.topology.portEnv : '';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
