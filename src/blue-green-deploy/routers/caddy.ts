import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import { ConfigurationError, errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import {
  buildUpstreams,
  poolShares,
  stateFromHandler,
  type CaddyHandler,
  type CaddyLiveState,
  type WeightMode,
} from './caddy-upstreams.js';
import {
  describeWeights,
  sameAddresses,
  sameWeights,
  type Backends,
  type Router,
  type RouterState,
  type Weights,
} from './router.js';

/**
 * Caddy driver. It manages the upstream list of one reverse_proxy handler
 * through Caddy's admin API. The user's Caddy JSON config marks that handler
 * with an `"@id"`. The Caddyfile has no syntax for `@id`, so a Caddyfile user
 * converts it with `caddy adapt` and adds the `@id` to the JSON.
 *
 * Each upstream the driver writes carries its own `"@id"`,
 * `<handler id>.<color>.<n>`, which is how `read()` tells the colors apart.
 */

/** Settings of the Caddy driver. */
export interface CaddySettings {
  /** Base URL of Caddy's admin API, such as `http://127.0.0.1:2019`. */
  adminUrl: string;
  /** Service name; the handler id defaults to `blue-green-<service>`. */
  service: string;
  /** `@id` of the reverse_proxy handler to manage, when it is not the default. */
  handlerId?: string;
  /** Timeout of each admin API request, in milliseconds. */
  requestTimeoutMs: number;
}

export function defaultCaddyHandlerId(service: string): string {
  return `blue-green-${service}`;
}

/** Builds a Caddy driver from settings, as the action's inputs module does. */
export function createCaddyRouter(
  settings: CaddySettings,
  logger: Logger,
): Router {
  return new CaddyRouter(settings, logger);
}

class CaddyRouter implements Router {
  readonly kind = 'caddy';
  private readonly handlerId: string;
  private readonly http: AxiosInstance;
  // Whether the running Caddy has weighted_round_robin. The first apply that
  // splits traffic finds out, and the result is kept because the modules of a
  // running Caddy binary do not change.
  private mode: WeightMode | undefined;

  constructor(
    private readonly settings: CaddySettings,
    private readonly logger: Logger,
  ) {
    this.handlerId =
      settings.handlerId ?? defaultCaddyHandlerId(settings.service);
    if (!/^https?:\/\/[^/]+/.test(settings.adminUrl)) {
      throw new ConfigurationError(
        `Caddy admin URL is "${settings.adminUrl}", but it must be an http(s) URL such as http://127.0.0.1:2019.`,
      );
    }
    this.http = axios.create({
      baseURL: settings.adminUrl.replace(/\/+$/, ''),
      timeout: settings.requestTimeoutMs,
      validateStatus: () => true,
      // Caddy 2.6 closes idle admin connections when it loads a config, so
      // a reused keep-alive socket fails with "socket hang up".
      httpAgent: new http.Agent({ keepAlive: false }),
      httpsAgent: new https.Agent({ keepAlive: false }),
      headers: { 'Content-Type': 'application/json' },
    });
  }

  async read(): Promise<RouterState> {
    const live = await this.readLive();
    return { weights: live.weights, backends: live.backends };
  }

  async apply(weights: Weights, backends: Backends): Promise<void> {
    const handler = await this.fetchHandler();
    let mode = this.mode ?? 'weighted_round_robin';
    let response = await this.patchHandler(handler, weights, backends, mode);
    if (mode === 'weighted_round_robin' && lacksWeightedPolicy(response)) {
      this.logger.info(
        'Caddy has no weighted_round_robin policy (added in Caddy 2.7); repeating upstreams under round_robin instead.',
      );
      mode = 'repeated';
      response = await this.patchHandler(handler, weights, backends, mode);
    }
    this.failUnlessOk(response, `change handler "${this.handlerId}"`);
    if (poolShares(weights).length > 1) this.mode = mode;
    this.logger.info(
      `Caddy handler "${this.handlerId}" now serves ${describeWeights(weights)}.`,
    );
  }

  async verify(weights: Weights, backends: Backends): Promise<void> {
    const live = await this.readLive();
    const problems: string[] = [];
    if (!sameWeights(live.weights, weights)) {
      problems.push(`it serves ${describeWeights(live.weights)}`);
    }
    for (const [color] of poolShares(weights)) {
      if (!sameAddresses(live.backends[color], backends[color])) {
        problems.push(
          `${color} goes to ${live.backends[color] ?? 'nothing'}, not ${backends[color]}`,
        );
      }
    }
    const splits = Object.keys(live.weights).length > 1;
    if (
      splits &&
      !['round_robin', 'weighted_round_robin'].includes(live.policy)
    ) {
      problems.push(`its selection policy ${live.policy} ignores the weights`);
    }
    if (problems.length > 0) {
      throw new Error(
        `Caddy handler "${this.handlerId}" does not carry ${describeWeights(weights)}: ${problems.join('; ')}.`,
      );
    }
    this.logger.debug(`Caddy verified: ${describeWeights(live.weights)}.`);
  }

  private async readLive(): Promise<CaddyLiveState> {
    const live = stateFromHandler(this.handlerId, await this.fetchHandler());
    this.logger.debug(
      `Caddy handler "${this.handlerId}": ${describeWeights(live.weights)}, policy ${live.policy}.`,
    );
    return live;
  }

  private async fetchHandler(): Promise<CaddyHandler> {
    const response = await this.request('GET', this.idPath(), undefined);
    if (response.status === 404) {
      throw new ConfigurationError(
        `Caddy at ${this.settings.adminUrl} has no config object with "@id": "${this.handlerId}". Add "@id": "${this.handlerId}" to the reverse_proxy handler in the Caddy JSON config, or set the handler id to the @id the config uses.`,
      );
    }
    this.failUnlessOk(response, `read handler "${this.handlerId}"`);
    const handler = response.data as CaddyHandler;
    if (handler?.handler !== 'reverse_proxy') {
      throw new ConfigurationError(
        `Caddy config object "@id": "${this.handlerId}" is a ${handler?.handler ?? typeof handler} handler, not reverse_proxy. Move the @id to the reverse_proxy handler.`,
      );
    }
    return handler;
  }

  private async patchHandler(
    handler: CaddyHandler,
    weights: Weights,
    backends: Backends,
    mode: WeightMode,
  ): Promise<AxiosResponse> {
    const { upstreams, policy } = buildUpstreams(
      this.handlerId,
      weights,
      backends,
      mode,
    );
    // One PATCH replaces the whole handler, so Caddy loads the new upstream
    // list and policy in one config load and no request is routed by half
    // of the change.
    // NOTE: Caddy 2.6.2 resets a few client connections during each config
    // load (up to 1% of requests under load in caddy.integration.test.ts).
    const next: CaddyHandler = {
      ...handler,
      upstreams,
      load_balancing: {
        ...handler.load_balancing,
        selection_policy: policy,
      },
    };
    this.logger.debug(
      `PATCH ${this.idPath()}: ${upstreams.length} upstreams, ${policy.policy}.`,
    );
    return this.request('PATCH', this.idPath(), next);
  }

  private idPath(): string {
    return `/id/${encodeURIComponent(this.handlerId)}`;
  }

  private async request(
    method: 'GET' | 'PATCH',
    path: string,
    body: unknown,
  ): Promise<AxiosResponse> {
    try {
      return await this.http.request({ method, url: path, data: body });
    } catch (error) {
      throw new Error(
        `Caddy admin API ${method} ${this.settings.adminUrl}${path} failed: ${errorMessage(error)}. Check that Caddy runs and its admin endpoint listens there.`,
        { cause: error },
      );
    }
  }

  private failUnlessOk(response: AxiosResponse, action: string): void {
    if (response.status >= 200 && response.status < 300) return;
    throw new Error(
      `Caddy admin API could not ${action}: HTTP ${response.status} ${caddyError(response)}`,
    );
  }
}

function caddyError(response: AxiosResponse): string {
  const data = response.data as { error?: unknown } | string | undefined;
  if (typeof data === 'object' && data !== null && 'error' in data) {
    return String(data.error);
  }
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** Caddy rejects a config naming a module it was built without. */
function lacksWeightedPolicy(response: AxiosResponse): boolean {
  if (response.status < 400) return false;
  const message = caddyError(response);
  return (
    message.includes('unknown module') &&
    message.includes('weighted_round_robin')
  );
}
