import * as core from '@actions/core';
import { ConfigurationError } from '../shared/errors.js';
import {
  getChoiceInput,
  getDurationInput,
  getIntInput,
  getOptionalInput,
  getRequiredInput,
} from '../shared/inputs.js';
import { readAnalysis } from './inputs-analysis.js';
import type { AnalysisSettings } from './analysis.js';
import type { DeploymentSettings } from './deployments.js';
import type { SshSettings } from './docker.js';
import type { CaddySettings } from './routers/caddy.js';
import type { Color } from './routers/router.js';
import type { TraefikSettings } from './routers/traefik.js';

/**
 * `rollback` ends a deploy in progress, or else returns to the previous
 * color; `abort` only ends a deploy in progress and otherwise changes nothing.
 */
export const MODES = [
  'deploy',
  'promote',
  'rollback',
  'abort',
  'status',
  'cleanup',
] as const;
export type Mode = (typeof MODES)[number];

export const ROUTER_KINDS = ['haproxy', 'nginx', 'caddy', 'traefik'] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];

/** Network layout through which the balancer and the health probe reach a color. */
export type Topology =
  /** The container port is published on `publishAddress:<color port>`. */
  | { kind: 'published'; publishAddress: string }
  /** Host networking; the container reads its color port from `portEnv`. */
  | { kind: 'host'; portEnv: string }
  /** A user-defined network; the balancer reaches `<service>-<color>:<port>`. */
  | { kind: 'network'; network: string };

export interface HaproxySettings {
  kind: 'haproxy';
  /** Runtime API address: a unix socket path, or `host:port` for TCP. */
  socket: string;
  /** Backend whose `blue` and `green` servers the action drives. */
  backend: string;
}

export interface NginxSettings {
  kind: 'nginx';
  /** Main configuration file, passed to `nginx -t -c` and `nginx -s reload -c`. */
  config: string;
  /** File the action owns; the user's config includes it inside `http {}`. */
  upstreamFile: string;
  /** Upstream block name in that file. */
  upstream: string;
  /** A URL through nginx, requested to confirm which colors respond. */
  verifyUrl?: string;
  /** Container on the Docker host that runs nginx; undefined means the runner. */
  container?: string;
}

export type RouterSettings =
  | HaproxySettings
  | NginxSettings
  | ({ kind: 'caddy' } & CaddySettings)
  | ({ kind: 'traefik' } & TraefikSettings);

/** Traffic steps and their pacing. */
export interface CanarySettings {
  /** Percent of traffic on the new color at each step, rising, ending at 100. */
  steps: number[];
  /** How long each step runs before the next, with analysis if configured. */
  stepDurationMs: number;
  /** Time between analysis rounds within a step; also the shortest window. */
  intervalMs: number;
  /** Percent at which the deploy pauses for `mode: promote`, if any. */
  gateAt?: number;
  /** Failed analysis rounds that end the deploy. */
  failureLimit: number;
  /** Inconclusive analysis rounds that end the deploy. */
  inconclusiveLimit: number;
}

/** Everything one run of blue-green-deploy needs, validated. */
export interface Settings {
  mode: Mode;
  /** Logical service name; containers are named `<service>-<color>`. */
  service: string;
  /** Image to deploy; required by `deploy`. */
  image?: string;
  /** Docker Engine address; undefined means the local socket. */
  dockerHost?: string;
  /** Credentials for an ssh:// Docker host. */
  ssh: SshSettings;
  router: RouterSettings;
  /** Port the service listens on inside its container. */
  port: number;
  /** Containers per color; undefined means as many as the live color runs, or 1. */
  replicas?: number;
  /** Host port of each color. */
  colorPorts: Record<Color, number>;
  topology: Topology;
  /** Address at which the runner and the balancer reach the color ports. */
  backendHost: string;
  health: {
    path: string;
    timeoutMs: number;
    intervalMs: number;
    /** Consecutive passing probes needed before traffic moves. */
    successes: number;
  };
  /** How long the replaced color is kept for rollback. */
  keepPreviousMs: number;
  /** Maximum wait for the replaced color's open requests to finish. */
  drainTimeoutMs: number;
  /** Environment variables set on the new color, over the inherited ones. */
  env: Record<string, string>;
  canary: CanarySettings;
  analysis: AnalysisSettings;
  /** How long the deploy lock lasts unless the holder renews it. */
  lockTtlMs: number;
  /** GitHub Deployments target; undefined when no environment is set. */
  deployment?: DeploymentSettings;
  /** Reference of this run (repository, run id and attempt), stored in labels. */
  runRef: string;
}

/** Docker's image reference grammar: [host[:port]/]path[:tag][@digest]. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?$/;

const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Reads and validates every input of the action. */
export function readSettings(env = process.env): Settings {
  const mode = getChoiceInput('mode', MODES);
  const service = getRequiredInput('service');
  if (!SERVICE_NAME.test(service)) {
    throw new ConfigurationError(
      `Input "service" is "${service}", which cannot name a container. Use letters, digits, "_", "." or "-", starting with a letter or digit.`,
    );
  }
  const image = getOptionalInput('image');
  if (image && !IMAGE_REFERENCE.test(image)) {
    throw new ConfigurationError(
      `Input "image" is "${image}", which is not an image reference. Use [registry/]name[:tag][@digest] in lower case, such as registry.example/app:1.4.2.`,
    );
  }
  if (mode === 'deploy' && !image) {
    throw new ConfigurationError(
      'Input "image" is required when mode is "deploy". Set it to the image reference to deploy, such as registry.example/app:1.4.2.',
    );
  }
  const bluePort = getIntInput('blue-port', 1, 65535);
  const greenPort = getIntInput('green-port', 1, 65535);
  if (bluePort === greenPort) {
    throw new ConfigurationError(
      `Inputs "blue-port" and "green-port" are both ${bluePort}. Give each color its own host port.`,
    );
  }
  return {
    mode,
    service,
    image,
    dockerHost: getOptionalInput('docker-host'),
    ssh: readSsh(),
    router: readRouter(service),
    port: getIntInput('port', 1, 65535),
    replicas: getOptionalInput('replicas')
      ? getIntInput('replicas', 1, 64)
      : undefined,
    colorPorts: { blue: bluePort, green: greenPort },
    topology: readTopology(),
    backendHost: getRequiredInput('backend-host'),
    health: {
      path: readHealthPath(),
      timeoutMs: getDurationInput('health-timeout', 1000),
      intervalMs: getDurationInput('health-interval', 100),
      successes: getIntInput('health-successes', 1, 100),
    },
    keepPreviousMs: getDurationInput('keep-previous'),
    drainTimeoutMs: getDurationInput('drain-timeout'),
    env: parseEnv(getOptionalInput('env') ?? ''),
    canary: readCanary(),
    analysis: readAnalysis(),
    lockTtlMs: getDurationInput('lock-ttl', 3000),
    deployment: readDeployment(env),
    runRef: runReference(env),
  };
}

function readSsh(): SshSettings {
  const privateKey = getOptionalInput('docker-ssh-key');
  if (privateKey) core.setSecret(privateKey);
  return { privateKey, hostKey: getOptionalInput('docker-ssh-host-key') };
}

function readDeployment(
  env: NodeJS.ProcessEnv,
): DeploymentSettings | undefined {
  const environment = getOptionalInput('environment');
  if (!environment) return undefined;
  const token = getOptionalInput('github-token');
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!token || !owner || !repo) {
    throw new ConfigurationError(
      `Input "environment" is "${environment}", which turns on GitHub Deployments, but ${token ? 'GITHUB_REPOSITORY is not set' : 'input "github-token" is empty'}. Pass a token with "deployments: write", or leave "environment" empty.`,
    );
  }
  core.setSecret(token);
  const apiUrl = env.GITHUB_API_URL ?? 'https://api.github.com';
  const runUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    token,
    environment,
    environmentUrl: getOptionalInput('environment-url'),
    apiUrl,
    graphqlUrl:
      env.GITHUB_GRAPHQL_URL ?? `${apiUrl.replace(/\/$/, '')}/graphql`,
    owner,
    repo,
    ref: env.GITHUB_SHA ?? env.GITHUB_REF ?? 'HEAD',
    logUrl: runUrl,
  };
}

function readCanary(): CanarySettings {
  const text = getRequiredInput('steps');
  const steps = text.split(',').map((part) => Number(part.trim()));
  const rising = steps.every((step, i) => i === 0 || step > steps[i - 1]);
  if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100) || !rising) {
    throw new ConfigurationError(
      `Input "steps" is "${text}", but it must be rising whole percentages from 1 to 100, such as 10,25,50,100.`,
    );
  }
  if (steps.at(-1) !== 100) steps.push(100);
  const gateText = getOptionalInput('manual-gate');
  const gateAt = gateText === undefined ? undefined : Number(gateText);
  if (gateAt !== undefined && (!steps.includes(gateAt) || gateAt === 100)) {
    throw new ConfigurationError(
      `Input "manual-gate" is "${gateText}", but it must be one of the steps below 100 (${steps.filter((s) => s < 100).join(', ') || 'none'}), or empty for no gate.`,
    );
  }
  return {
    steps,
    stepDurationMs: getDurationInput('step-duration'),
    intervalMs: getDurationInput('analysis-interval', 100),
    gateAt,
    failureLimit: getIntInput('failure-limit', 1, 100),
    inconclusiveLimit: getIntInput('inconclusive-limit', 1, 100),
  };
}

function readHealthPath(): string {
  const path = getRequiredInput('health-path');
  if (!path.startsWith('/')) {
    throw new ConfigurationError(
      `Input "health-path" is "${path}", but it must start with "/", such as /healthz.`,
    );
  }
  return path;
}

function readRouter(service: string): RouterSettings {
  const kind = getChoiceInput('router', ROUTER_KINDS);
  if (kind === 'caddy') {
    return {
      kind,
      service,
      adminUrl: getRequiredInput('caddy-admin-url'),
      handlerId: getOptionalInput('caddy-handler-id'),
      requestTimeoutMs: 5000,
    };
  }
  if (kind === 'traefik') {
    return {
      kind,
      service,
      dynamicDir: requiredFor('traefik-dynamic-dir', kind),
      fileName: getOptionalInput('traefik-file'),
      entryPoints: getRequiredInput('traefik-entry-points')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
      rule: getRequiredInput('traefik-rule'),
      apiUrl: getOptionalInput('traefik-api-url'),
      applyTimeoutMs: 10_000,
      pollIntervalMs: 250,
    };
  }
  const container = getOptionalInput('router-container');
  if (container && kind !== 'nginx') {
    throw new ConfigurationError(
      `Input "router-container" is "${container}", but only the nginx driver runs its balancer in a container. For ${kind}, leave it empty: ${kind === 'haproxy' ? 'give haproxy-socket a HOST:PORT that reaches the runtime API' : kind === 'caddy' ? 'caddy-admin-url reaches the admin API over HTTP' : 'traefik-dynamic-dir must be a directory on the runner'}.`,
    );
  }
  if (kind === 'haproxy') {
    return {
      kind,
      socket: requiredFor('haproxy-socket', kind),
      backend: getOptionalInput('haproxy-backend') ?? service,
    };
  }
  return {
    kind,
    config: requiredFor('nginx-config', kind),
    upstreamFile: requiredFor('nginx-upstream-file', kind),
    upstream: getOptionalInput('nginx-upstream') ?? service,
    verifyUrl: getOptionalInput('nginx-verify-url'),
    container: getOptionalInput('router-container'),
  };
}

function requiredFor(name: string, kind: string): string {
  const value = getOptionalInput(name);
  if (!value) {
    throw new ConfigurationError(
      `Input "${name}" is required when router is "${kind}".`,
    );
  }
  return value;
}

function readTopology(): Topology {
  const network = getRequiredInput('network');
  if (network === 'published') {
    return {
      kind: 'published',
      publishAddress: getRequiredInput('publish-address'),
    };
  }
  if (network === 'host') {
    return { kind: 'host', portEnv: getRequiredInput('port-env') };
  }
  return { kind: 'network', network };
}

/** Parses `KEY=value` lines; blank lines and `#` comments are skipped. */
export function parseEnv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) {
      throw new ConfigurationError(
        `Input "env", line ${index + 1}: "${line}" is not KEY=value. Write one variable per line, such as LOG_LEVEL=info.`,
      );
    }
    result[match[1]] = match[2];
  }
  return result;
}

function runReference(env: NodeJS.ProcessEnv): string {
  const repository = env.GITHUB_REPOSITORY ?? 'local';
  const runId = env.GITHUB_RUN_ID ?? String(process.pid);
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '1';
  return `${repository}#${runId}.${attempt}`;
}
