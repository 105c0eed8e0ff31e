import type { Logger } from '../../shared/logger.js';
import { localHost, type BalancerHost } from './balancer-host.js';
import { sleep } from '../health.js';
import type { NginxSettings } from '../inputs.js';
import {
  COLORS,
  describeWeights,
  replicaWeight,
  sameWeights,
  type Backends,
  type Color,
  type Router,
  type RouterState,
  type Weights,
} from './router.js';

/** Response header that the user's nginx config adds with `$upstream_addr`. */
export const UPSTREAM_HEADER = 'x-upstream-addr';

/**
 * Drives nginx, which has no upstream API: the driver owns one file that
 * holds the upstream block, checks the whole configuration with `nginx -t`
 * and reloads gracefully. nginx rejects `weight=0`, so a color at 0% is left
 * out of the block.
 */
export class NginxRouter implements Router {
  readonly kind = 'nginx';

  constructor(
    private readonly settings: NginxSettings,
    private readonly logger: Logger,
    private readonly host: BalancerHost = localHost,
  ) {}

  async read(): Promise<RouterState> {
    const text = await this.host.readFile(this.settings.upstreamFile);
    if (text === undefined) return { weights: {}, backends: {} };
    return parseUpstream(text);
  }

  async apply(weights: Weights, backends: Backends): Promise<void> {
    const file = this.settings.upstreamFile;
    const text = renderUpstream(this.settings.upstream, weights, backends);
    const previous = await this.host.readFile(file);
    await this.host.writeFile(file, text);
    try {
      await this.nginx(['-t', '-q']);
    } catch (error) {
      if (previous !== undefined) await this.host.writeFile(file, previous);
      throw new Error(
        `nginx -t rejected the configuration with the new upstream; the previous file was restored. ${(error as Error).message}`,
        { cause: error },
      );
    }
    const master = await this.masterPid();
    const workersBefore = new Set(await this.host.childPids(master));
    await this.nginx(['-s', 'reload']);
    await this.waitForNewWorkers(master, workersBefore);
  }

  async verify(weights: Weights, backends: Backends): Promise<void> {
    const live = await this.read();
    if (!sameWeights(live.weights, weights)) {
      throw new Error(
        `nginx upstream file ${this.settings.upstreamFile} contains ${describeWeights(live.weights)}, expected ${describeWeights(weights)}.`,
      );
    }
    if (this.settings.verifyUrl)
      await this.verifyThroughProxy(weights, backends);
  }

  /**
   * Sends requests through nginx and checks that every response came from a
   * color in the pool, by the upstream address nginx reports in a header.
   */
  private async verifyThroughProxy(weights: Weights, backends: Backends) {
    const allowed = new Set(
      COLORS.filter((color) => (weights[color] ?? 0) > 0).flatMap(
        (color) => backends[color] ?? [],
      ),
    );
    const seen = new Set<string>();
    for (let i = 0; i < 10; i += 1) {
      const response = await fetch(this.settings.verifyUrl!, {
        signal: AbortSignal.timeout(2000),
        headers: { connection: 'close' },
      });
      await response.arrayBuffer();
      const upstream = response.headers.get(UPSTREAM_HEADER);
      if (!upstream) {
        throw new Error(
          `nginx responded to ${this.settings.verifyUrl} without the ${UPSTREAM_HEADER} header. Add "add_header X-Upstream-Addr $upstream_addr always;" to the server block, or leave nginx-verify-url empty.`,
        );
      }
      seen.add(upstream);
    }
    const stray = [...seen].filter((address) => !allowed.has(address));
    if (stray.length > 0) {
      throw new Error(
        `Requests through nginx still reached ${stray.join(', ')}, which is out of the pool.`,
      );
    }
    this.logger.debug(`nginx responded from ${[...seen].join(', ')}`);
  }

  private async nginx(args: string[]): Promise<string> {
    try {
      return await this.host.run([
        'nginx',
        '-c',
        this.settings.config,
        ...args,
      ]);
    } catch (error) {
      throw new Error(
        `nginx -c ${this.settings.config} ${args.join(' ')} on ${this.host.where} failed: ${(error as Error).message}. Check inputs "nginx-config" and "nginx-upstream-file".`,
        { cause: error },
      );
    }
  }

  private async masterPid(): Promise<number> {
    const dump = await this.nginx(['-T', '-q']);
    const pidFile =
      /^\s*pid\s+([^;\s]+)\s*;/m.exec(dump)?.[1] ?? '/run/nginx.pid';
    const pid = Number((await this.host.readFile(pidFile))?.trim());
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new Error(`nginx pid file ${pidFile} does not hold a process id.`);
    }
    return pid;
  }

  /** Waits until the master runs a worker started after the reload. */
  private async waitForNewWorkers(master: number, before: Set<number>) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const workers = await this.host.childPids(master);
      if (workers.some((pid) => !before.has(pid))) return;
      await sleep(50);
    }
    throw new Error(
      `nginx (master ${master}) started no new worker within 10 s of the reload; check its error log for the reason.`,
    );
  }
}

/**
 * Renders the upstream block: one server line per replica, with the
 * color's share split across its replicas. Colors at 0% are left out.
 */
export function renderUpstream(
  name: string,
  weights: Weights,
  backends: Backends,
): string {
  const servers = COLORS.filter((color) => (weights[color] ?? 0) > 0).flatMap(
    (color) => {
      const addresses = backends[color] ?? [];
      if (addresses.length === 0) {
        throw new Error(`No backend address for ${color}.`);
      }
      const weight = replicaWeight(weights[color]!, addresses.length);
      return addresses.map(
        (address) => `    server ${address} weight=${weight}; # color=${color}`,
      );
    },
  );
  if (servers.length === 0) {
    throw new Error(
      'An nginx upstream needs at least one color with a weight above 0%.',
    );
  }
  return [
    '# Written by blue-green-deploy; changes made by hand are overwritten.',
    `upstream ${name} {`,
    ...servers,
    '}',
    '',
  ].join('\n');
}

/** Reads weights (as percent of the total) and backends from the upstream block. */
export function parseUpstream(text: string): RouterState {
  const raw: Partial<Record<Color, number>> = {};
  const backends: Backends = {};
  const line =
    /^\s*server\s+(\S+?)(?:\s+weight=(\d+))?\s*;\s*#\s*color=(blue|green)\s*$/gm;
  for (let match = line.exec(text); match; match = line.exec(text)) {
    const color = match[3] as Color;
    (backends[color] ??= []).push(match[1]);
    raw[color] = (raw[color] ?? 0) + Number(match[2] ?? 1);
  }
  const total = Object.values(raw).reduce((sum, weight) => sum + weight, 0);
  const weights: Weights = {};
  for (const color of COLORS) {
    if (raw[color]) weights[color] = Math.round((raw[color]! / total) * 100);
  }
  return { weights, backends };
}
