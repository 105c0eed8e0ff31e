import { join } from 'node:path';
import { ConfigurationError } from '../../shared/errors.js';
import {
  COLORS,
  describeWeights,
  type Backends,
  type Color,
  type RouterState,
  type Weights,
} from './router.js';

/**
 * Traefik v3 dynamic configuration for the file provider, as the Traefik
 * driver writes and reads it. It has a router named after the service and a
 * weighted service of the same name over the colors in the pool. Each color
 * in the pool gets a loadBalancer service named `<service>-<color>`.
 */

/** Settings of the Traefik driver. */
export interface TraefikSettings {
  /** Service name: the router and the weighted service carry this name. */
  service: string;
  /** Directory that Traefik's file provider watches (`providers.file.directory`). */
  dynamicDir: string;
  /** File name in that directory; defaults to `<service>.yml`. */
  fileName?: string;
  /** Entry points the router listens on, such as `web`. */
  entryPoints: string[];
  /** Router rule, such as ``Host(`app.example.com`)``. */
  rule: string;
  /** Base URL of Traefik's API, such as `http://127.0.0.1:8080`; optional. */
  apiUrl?: string;
  /** Time to wait for Traefik's API to show a written file, in milliseconds. */
  applyTimeoutMs: number;
  /** Pause between two API polls, in milliseconds. */
  pollIntervalMs: number;
}

/** A weighted service entry in Traefik's dynamic configuration. */
export interface WeightedEntry {
  name: string;
  weight: number;
}

/** The dynamic configuration the driver writes and reads back. */
export interface DynamicConfig {
  http?: {
    routers?: Record<string, Record<string, unknown>>;
    services?: Record<
      string,
      {
        weighted?: { services?: WeightedEntry[] };
        loadBalancer?: { servers?: Array<{ url?: string }> };
      }
    >;
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$/;

export function colorServiceName(service: string, color: Color): string {
  return `${service}-${color}`;
}

/** Checks the settings and returns the path of the dynamic-config file. */
export function dynamicFilePath(settings: TraefikSettings): string {
  if (!NAME.test(settings.service)) {
    throw new ConfigurationError(
      `Service name "${settings.service}" cannot name a Traefik router: use letters, digits, ".", "_" and "-", without "@".`,
    );
  }
  const fileName = settings.fileName ?? `${settings.service}.yml`;
  // Traefik's file provider loads only .yml, .yaml and .toml files from a
  // directory, and this driver writes YAML.
  if (!/^[^/]+\.ya?ml$/.test(fileName)) {
    throw new ConfigurationError(
      `Traefik file name is "${fileName}", but it must be a plain file name ending in .yml or .yaml, such as ${settings.service}.yml.`,
    );
  }
  return join(settings.dynamicDir, fileName);
}

/** Checks that weights are whole percents summing to 100; returns the pool. */
export function checkWeights(weights: Weights): Color[] {
  for (const color of COLORS) {
    const percent = weights[color] ?? 0;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new ConfigurationError(
        `Traffic weight for ${color} is ${percent}, but Traefik needs a whole percent from 0 to 100. Use whole-percent traffic steps.`,
      );
    }
  }
  const total = COLORS.reduce((sum, color) => sum + (weights[color] ?? 0), 0);
  if (total !== 100) {
    throw new Error(
      `Traffic weights must sum to 100, got ${describeWeights(weights)}.`,
    );
  }
  return COLORS.filter((color) => (weights[color] ?? 0) > 0);
}

/**
 * Builds the dynamic configuration for `weights`. A color at 0% is left out
 * of the weighted list and gets no loadBalancer service.
 */
export function buildDynamicConfig(
  settings: TraefikSettings,
  weights: Weights,
  backends: Backends,
): DynamicConfig {
  const inPool = checkWeights(weights);
  const services: NonNullable<DynamicConfig['http']>['services'] = {
    [settings.service]: {
      weighted: {
        services: inPool.map((color) => ({
          name: colorServiceName(settings.service, color),
          weight: weights[color] ?? 0,
        })),
      },
    },
  };
  for (const color of inPool) {
    const addresses = backends[color] ?? [];
    const invalid = addresses.find((address) => !HOST_PORT.test(address));
    if (addresses.length === 0 || invalid !== undefined) {
      throw new ConfigurationError(
        `Backend for ${color} is "${invalid ?? ''}", but Traefik needs host:port, such as web-${color}:8080.`,
      );
    }
    services[colorServiceName(settings.service, color)] = {
      loadBalancer: {
        servers: addresses.map((address) => ({ url: `http://${address}` })),
      },
    };
  }
  const router = {
    entryPoints: settings.entryPoints,
    rule: settings.rule,
    service: settings.service,
  };
  return { http: { routers: { [settings.service]: router }, services } };
}

function colorOfEntry(service: string, name: string): Color | undefined {
  const local = name.endsWith('@file') ? name.slice(0, -'@file'.length) : name;
  return COLORS.find((color) => colorServiceName(service, color) === local);
}

/**
 * Derives weights from a weighted list, as percents of the total weight.
 * Entries for other services make the list unusable for this driver.
 */
export function weightsFromEntries(
  service: string,
  entries: WeightedEntry[],
): Weights {
  const total = entries.reduce((sum, entry) => sum + (entry.weight ?? 1), 0);
  const weights: Weights = {};
  for (const entry of entries) {
    const color = colorOfEntry(service, entry.name);
    if (color === undefined) {
      throw new ConfigurationError(
        `Traefik weighted service "${service}" lists "${entry.name}", which is neither ${colorServiceName(service, 'blue')} nor ${colorServiceName(service, 'green')}. Remove it, or let the driver rewrite the file.`,
      );
    }
    const share = total > 0 ? (100 * (entry.weight ?? 1)) / total : 0;
    if (share > 0) {
      weights[color] = Math.round(((weights[color] ?? 0) + share) * 100) / 100;
    }
  }
  return weights;
}

/** Returns `host:port` from a server URL such as `http://web-blue:8080`. */
export function addressOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** Returns the `host:port` of each server of a loadBalancer service. */
export function addressesOfServers(
  servers: Array<{ url?: string }> | undefined,
): string[] {
  return (servers ?? [])
    .map((server) => addressOfUrl(server.url))
    .filter((address): address is string => address !== undefined);
}

/** Reads the weights and backends out of a dynamic configuration. */
export function stateFromDynamicConfig(
  service: string,
  config: DynamicConfig,
): RouterState {
  const services = config.http?.services ?? {};
  const entries = services[service]?.weighted?.services ?? [];
  const weights = weightsFromEntries(service, entries);
  const backends: Backends = {};
  for (const color of Object.keys(weights) as Color[]) {
    const servers =
      services[colorServiceName(service, color)]?.loadBalancer?.servers;
    backends[color] = addressesOfServers(servers);
  }
  return { weights, backends };
}
