import axios, { type AxiosInstance } from 'axios';
import { ConfigurationError, errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Backends, Color, RouterState } from './router.js';
import {
  addressesOfServers,
  colorServiceName,
  weightsFromEntries,
  type TraefikSettings,
  type WeightedEntry,
} from './traefik-config.js';

/** One service as Traefik's API returns it from `/api/http/services/<name>`. */
export interface TraefikServiceInfo {
  name?: string;
  provider?: string;
  type?: string;
  status?: string;
  err?: string[];
  weighted?: { services?: WeightedEntry[] };
  loadBalancer?: { servers?: Array<{ url?: string }> };
}

/** Reads the state Traefik serves from its API, for the file provider. */
export class TraefikApi {
  private readonly http: AxiosInstance;

  constructor(
    private readonly baseUrl: string,
    private readonly service: string,
    settings: TraefikSettings,
    private readonly logger: Logger,
  ) {
    if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
      throw new ConfigurationError(
        `Traefik API URL is "${baseUrl}", but it must be an http(s) URL such as http://127.0.0.1:8080.`,
      );
    }
    this.http = axios.create({
      baseURL: baseUrl.replace(/\/+$/, ''),
      timeout: Math.max(1000, settings.pollIntervalMs * 4),
      validateStatus: () => true,
    });
  }

  /** Returns the weights and backends of `<service>@file`, empty when absent. */
  async readState(): Promise<RouterState> {
    const weighted = await this.getService(this.service);
    if (weighted === undefined) return { weights: {}, backends: {} };
    if (weighted.status === 'disabled') {
      this.logger.warning(
        `Traefik disabled service ${weighted.name ?? this.service}: ${(weighted.err ?? []).join('; ')}`,
      );
      return { weights: {}, backends: {} };
    }
    const entries = weighted.weighted?.services ?? [];
    const weights = weightsFromEntries(this.service, entries);
    const backends: Backends = {};
    for (const color of Object.keys(weights) as Color[]) {
      const child = await this.getService(
        colorServiceName(this.service, color),
      );
      backends[color] = addressesOfServers(child?.loadBalancer?.servers);
    }
    return { weights, backends };
  }

  private async getService(
    name: string,
  ): Promise<TraefikServiceInfo | undefined> {
    // Service names pass the NAME pattern, so they need no escaping.
    const path = `/api/http/services/${name}@file`;
    let response;
    try {
      response = await this.http.get(path);
    } catch (error) {
      throw new Error(
        `Traefik API GET ${this.baseUrl}${path} failed: ${errorMessage(error)}. Check that Traefik runs with its API enabled there.`,
        { cause: error },
      );
    }
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      throw new Error(
        `Traefik API GET ${this.baseUrl}${path} returned HTTP ${response.status}: ${JSON.stringify(response.data)}.`,
      );
    }
    return response.data as TraefikServiceInfo;
  }
}
