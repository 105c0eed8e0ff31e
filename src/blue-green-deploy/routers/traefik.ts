import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigurationError, errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import {
  COLORS,
  describeWeights,
  sameAddresses,
  sameWeights,
  type Backends,
  type Router,
  type RouterState,
  type Weights,
} from './router.js';
import { TraefikApi } from './traefik-api.js';
import {
  buildDynamicConfig,
  checkWeights,
  dynamicFilePath,
  stateFromDynamicConfig,
  type DynamicConfig,
  type TraefikSettings,
} from './traefik-config.js';

export type { TraefikSettings } from './traefik-config.js';

/**
 * Traefik v3 driver. It writes one file of dynamic configuration into the
 * directory that Traefik's file provider watches: a router for the service,
 * a weighted service over the colors in the pool, and one loadBalancer
 * service per color. Traefik reloads the directory when the file changes.
 */

/** Builds a Traefik driver from settings, as the action's inputs module does. */
export function createTraefikRouter(
  settings: TraefikSettings,
  logger: Logger,
): Router {
  return new TraefikRouter(settings, logger);
}

/**
 * Replaces `path` so a concurrent reader sees the old or the new content,
 * never a part: a temporary file in the same directory is written, flushed
 * and renamed over `path`. The temporary name does not end in .yml, so
 * Traefik's file provider skips it.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
): Promise<void> {
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const temporary = join(dirname(path), `.${basename(path)}.${suffix}`);
  const file = await open(temporary, 'wx', 0o644);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // Flush the directory entry too, so the rename survives a crash.
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

class TraefikRouter implements Router {
  readonly kind = 'traefik';
  private readonly path: string;
  private readonly api: TraefikApi | undefined;

  constructor(
    private readonly settings: TraefikSettings,
    private readonly logger: Logger,
  ) {
    this.path = dynamicFilePath(settings);
    if (settings.entryPoints.length === 0) {
      throw new ConfigurationError(
        'Traefik entry points are empty: name at least one, such as web.',
      );
    }
    if (settings.rule.trim() === '') {
      throw new ConfigurationError(
        'Traefik router rule is empty: set one, such as Host(`app.example.com`).',
      );
    }
    this.api = settings.apiUrl
      ? new TraefikApi(settings.apiUrl, settings.service, settings, logger)
      : undefined;
  }

  async read(): Promise<RouterState> {
    const fileState = await this.readFileState();
    if (this.api === undefined) return fileState;
    return this.confirmApplied(fileState);
  }

  async apply(weights: Weights, backends: Backends): Promise<void> {
    const config = buildDynamicConfig(this.settings, weights, backends);
    const header =
      '# Written by blue-green-deploy: the next deploy replaces any edit.\n';
    try {
      await writeFileAtomic(this.path, header + stringify(config));
    } catch (error) {
      throw this.describeWriteError(error);
    }
    this.logger.info(
      `Traefik dynamic config ${this.path} now routes ${describeWeights(weights)}.`,
    );
  }

  async verify(weights: Weights, backends: Backends): Promise<void> {
    const live = await this.read();
    const problems: string[] = [];
    if (!sameWeights(live.weights, weights)) {
      problems.push(`it routes ${describeWeights(live.weights)}`);
    }
    for (const color of checkWeights(weights)) {
      if (!sameAddresses(live.backends[color], backends[color])) {
        problems.push(
          `${color} goes to ${live.backends[color] ?? 'nothing'}, not ${backends[color]}`,
        );
      }
    }
    if (problems.length > 0) {
      const source = this.api
        ? `Traefik's API at ${this.settings.apiUrl}`
        : this.path;
      throw new Error(
        `Traefik service "${this.settings.service}" does not carry ${describeWeights(weights)}: ${problems.join('; ')} (read from ${source}).`,
      );
    }
  }

  private describeWriteError(error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException).code;
    const dir = this.settings.dynamicDir;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new ConfigurationError(
        `Traefik dynamic-config directory "${dir}" does not exist. Create it, or set the directory that Traefik's providers.file.directory watches.`,
        { cause: error },
      );
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      return new ConfigurationError(
        `Cannot write to Traefik dynamic-config directory "${dir}" (${code}). Give the runner's user write access to it.`,
        { cause: error },
      );
    }
    return error;
  }

  private async readFileState(): Promise<RouterState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.debug(`${this.path} does not exist: nothing is routed.`);
        return { weights: {}, backends: {} };
      }
      throw error;
    }
    let config: DynamicConfig;
    try {
      config = (parse(text) ?? {}) as DynamicConfig;
    } catch (error) {
      throw new ConfigurationError(
        `Traefik dynamic config ${this.path} is not valid YAML (${errorMessage(error)}). Fix or delete it; the next apply rewrites it.`,
        { cause: error },
      );
    }
    return stateFromDynamicConfig(this.settings.service, config);
  }

  /**
   * Polls Traefik's API until it shows the file's weights and backends, and
   * returns what the API shows. Traefik applies file changes after its
   * provider throttle (2 seconds by default), so a fresh file needs a wait.
   */
  private async confirmApplied(fileState: RouterState): Promise<RouterState> {
    const api = this.api as TraefikApi;
    const deadline = Date.now() + this.settings.applyTimeoutMs;
    let live = await api.readState();
    while (!sameState(live, fileState) && Date.now() < deadline) {
      await new Promise((resolve) =>
        setTimeout(resolve, this.settings.pollIntervalMs),
      );
      live = await api.readState();
    }
    if (!sameState(live, fileState)) {
      this.logger.warning(
        `Traefik has not applied ${this.path} within ${this.settings.applyTimeoutMs} ms: the file routes ${describeWeights(fileState.weights)}, Traefik routes ${describeWeights(live.weights)}. Check Traefik's log for errors in that file.`,
      );
    }
    return live;
  }
}

function sameState(a: RouterState, b: RouterState): boolean {
  return (
    sameWeights(a.weights, b.weights) &&
    COLORS.every((color) => sameAddresses(a.backends[color], b.backends[color]))
  );
}
