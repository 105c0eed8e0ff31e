import type Docker from 'dockerode';
import { isNotFound } from './docker.js';
import type { Settings } from './inputs.js';
import { LABELS, versionOf } from './labels.js';
import type { Color } from './routers/router.js';

/** Environment variable that passes a container its color. */
export const COLOR_ENV = 'RESILIENCE_COLOR';

/** One container of a color. */
export interface Replica {
  id: string;
  name: string;
  /** 1 for the first replica. */
  index: number;
  running: boolean;
}

/** A color's containers as found on the Docker host. */
export interface ColorContainer {
  color: Color;
  /** Id and name of the first replica. */
  id: string;
  name: string;
  image: string;
  version: string;
  /** True when every replica runs. */
  running: boolean;
  createdAt: string;
  replicas: Replica[];
}

/** Name of a replica: `<service>-<color>`, then `<service>-<color>-2` and on. */
export function containerName(
  service: string,
  color: Color,
  replica = 1,
): string {
  return replica === 1
    ? `${service}-${color}`
    : `${service}-${color}-${replica}`;
}

/**
 * Returns the address where the balancer and the health probe reach a replica. With published
 * ports or host networking, replica N of a color listens on the color's
 * port plus N - 1; on a Docker network each replica has its own name.
 */
export function replicaAddress(
  settings: Settings,
  color: Color,
  replica = 1,
): string {
  if (settings.topology.kind === 'network') {
    return `${containerName(settings.service, color, replica)}:${settings.port}`;
  }
  return `${settings.backendHost}:${settings.colorPorts[color] + replica - 1}`;
}

/** Addresses of a color's `count` replicas, in replica order. */
export function colorBackends(
  settings: Settings,
  color: Color,
  count: number,
): string[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) =>
    replicaAddress(settings, color, i + 1),
  );
}

/** Backends of the given colors, with as many replicas as each runs. */
export function backendsOf(
  settings: Settings,
  colors: Partial<Record<Color, ColorContainer>>,
  which: (Color | undefined)[],
): Partial<Record<Color, string[]>> {
  const backends: Partial<Record<Color, string[]>> = {};
  for (const color of which) {
    if (!color) continue;
    backends[color] = colorBackends(
      settings,
      color,
      colors[color]?.replicas.length ?? 1,
    );
  }
  return backends;
}

/** Health URLs of a color's replicas. */
export function healthUrls(
  settings: Settings,
  color: Color,
  count: number,
): string[] {
  return colorBackends(settings, color, count).map(
    (address) => `http://${address}${settings.health.path}`,
  );
}

/** Lists the service's color containers, running or not. */
export async function listColors(
  docker: Docker,
  service: string,
  options: { setAside: boolean } = { setAside: false },
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
    const setAside = info.Names.some((name) => name.endsWith(SET_ASIDE));
    // A container set aside by a deploy in progress is not its color's.
    if (setAside !== options.setAside) continue;
    if (color !== 'blue' && color !== 'green') continue;
    const replica: Replica = {
      id: info.Id,
      name: info.Names[0]?.replace(/^\//, '') ?? info.Id,
      index: Number(info.Labels[LABELS.replica] ?? 1),
      running: info.State === 'running',
    };
    const found = (result[color] ??= {
      color,
      id: replica.id,
      name: replica.name,
      image: info.Labels[LABELS.image] ?? info.Image,
      version: info.Labels[LABELS.version] ?? versionOf(info.Image),
      running: true,
      createdAt: info.Labels[LABELS.createdAt] ?? '',
      replicas: [],
    });
    found.replicas.push(replica);
  }
  for (const found of Object.values(result)) {
    found.replicas.sort((a, b) => a.index - b.index);
    found.id = found.replicas[0].id;
    found.name = found.replicas[0].name;
    found.running = found.replicas.every((replica) => replica.running);
  }
  return result;
}

/** Suffix of a color's containers while a deploy has set them aside. */
export const SET_ASIDE = '-set-aside';

/** Removes every replica of a color; missing containers are not an error. */
export async function removeColor(
  docker: Docker,
  color: ColorContainer,
): Promise<void> {
  await Promise.all(
    color.replicas.map((replica) => removeContainer(docker, replica.id)),
  );
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
  replica = 1,
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
    env.set(
      settings.topology.portEnv,
      String(settings.colorPorts[color] + replica - 1),
    );
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
    [LABELS.replica]: String(replica),
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
    name: containerName(settings.service, color, replica),
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
    replica,
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
  replica: number,
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
          HostPort: String(settings.colorPorts[color] + replica - 1),
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
            // Aliases naming a color's replicas belong to that replica.
            ...(aliases ?? []).filter(
              (alias) =>
                !/^[0-9a-f]{12}$/.test(alias) &&
                !new RegExp(
                  `^${escapeRegExp(settings.service)}-(blue|green)(-\\d+)?$`,
                ).test(alias),
            ),
            containerName(settings.service, color, replica),
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
