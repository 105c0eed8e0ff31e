import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/** Connection settings for a Prometheus server's HTTP API. */
export interface PrometheusOptions {
  /** Base URL, such as `http://127.0.0.1:9090` (a path prefix is kept). */
  url: string;
  /** Bearer token sent as `Authorization: Bearer ...`. */
  bearerToken?: string;
  /** User name for HTTP basic auth; used together with `password`. */
  username?: string;
  password?: string;
  /** Timeout of one HTTP request, in milliseconds. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (network, 429, 5xx). */
  retries: number;
  /** Delay before the first retry in milliseconds; doubles on each retry. */
  retryDelayMs?: number;
  logger?: Logger;
}

/** One series of an instant query result. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

/** One series of a range query result; timestamps are Unix seconds. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/**
 * Prometheus could not be reached or kept failing after every retry. Gates
 * decide whether this fails closed or open.
 */
export class PrometheusUnavailableError extends Error {
  override readonly name = 'PrometheusUnavailableError';
}

/** Prometheus rejected a query (HTTP 400 or 422): the query is wrong. */
export class PrometheusQueryError extends Error {
  override readonly name = 'PrometheusQueryError';
  constructor(
    message: string,
    readonly query: string,
  ) {
    super(message);
  }
}

interface ApiResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

/** Client for the Prometheus HTTP API (`/api/v1/query`, `query_range`). */
export class PrometheusClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: PrometheusOptions) {
    const headers: Record<string, string> = {};
    if (options.bearerToken) {
      headers.Authorization = `Bearer ${options.bearerToken}`;
    }
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      headers,
      auth:
        options.username !== undefined
          ? { username: options.username, password: options.password ?? '' }
          : undefined,
      // Every status is inspected below, so axios never throws on one.
      validateStatus: () => true,
    });
  }

  /** Runs an instant query at `time` (default: the server's now). */
  async query(expr: string, time?: Date): Promise<InstantSample[]> {
    const params: Record<string, string> = { query: expr };
    if (time) params.time = String(time.getTime() / 1000);
    const data = await this.request('/api/v1/query', params, expr);
    return parseInstant(data.resultType, data.result);
  }

  /** Runs a range query from `start` to `end` every `stepSeconds`. */
  async queryRange(
    expr: string,
    start: Date,
    end: Date,
    stepSeconds: number,
  ): Promise<RangeSeries[]> {
    const params = {
      query: expr,
      start: String(start.getTime() / 1000),
      end: String(end.getTime() / 1000),
      step: String(stepSeconds),
    };
    const data = await this.request('/api/v1/query_range', params, expr);
    const result = data.result as {
      metric: Record<string, string>;
      values: [number, string][];
    }[];
    return result.map((series) => ({
      labels: series.metric,
      points: series.values.map(([t, v]) => [t, Number(v)]),
    }));
  }

  private async request(
    path: string,
    params: Record<string, string>,
    expr: string,
  ): Promise<{ resultType: string; result: unknown }> {
    const attempts = this.options.retries + 1;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await this.attempt(path, params, expr);
      if ('data' in outcome) return outcome.data;
      lastProblem = outcome.problem;
      if (attempt < attempts) {
        const delay = (this.options.retryDelayMs ?? 500) * 2 ** (attempt - 1);
        this.options.logger?.warning(
          `Prometheus request failed (${lastProblem}); retry ${attempt} of ` +
            `${this.options.retries} in ${delay} ms.`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    throw new PrometheusUnavailableError(
      `Prometheus at ${this.options.url} is unavailable after ${attempts} ` +
        `attempt(s): ${lastProblem}`,
    );
  }

  /** Sends one request; returns the data, or the transient problem seen. */
  private async attempt(
    path: string,
    params: Record<string, string>,
    expr: string,
  ): Promise<
    { data: { resultType: string; result: unknown } } | { problem: string }
  > {
    let response;
    try {
      // POST keeps long queries out of URLs and proxy logs.
      response = await this.http.post<ApiResponse>(
        path,
        new URLSearchParams(params).toString(),
        { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      );
    } catch (error) {
      return { problem: describeNetworkError(error, this.options.timeoutMs) };
    }
    const body = response.data;
    if (response.status === 400 || response.status === 422) {
      throw new PrometheusQueryError(
        `Prometheus rejected the query (${body?.errorType ?? response.status}` +
          `): ${body?.error ?? 'no error message'}. Query: ${expr}`,
        expr,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new PrometheusUnavailableError(
        `Prometheus at ${this.options.url} answered HTTP ${response.status}: ` +
          'check the bearer token or basic-auth credentials.',
      );
    }
    if (response.status === 429 || response.status >= 500) {
      return { problem: `HTTP ${response.status} ${body?.error ?? ''}`.trim() };
    }
    if (response.status !== 200 || body?.status !== 'success' || !body.data) {
      throw new PrometheusUnavailableError(
        `Prometheus at ${this.options.url} returned HTTP ${response.status} ` +
          `without a query result; check that the URL points at Prometheus.`,
      );
    }
    return { data: body.data };
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (isAxiosError(error)) {
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') {
      return `timed out after ${timeoutMs} ms`;
    }
    return error.code ? `${error.code}: ${error.message}` : error.message;
  }
  return errorMessage(error);
}

function parseInstant(resultType: string, result: unknown): InstantSample[] {
  if (resultType === 'scalar') {
    const [, value] = result as [number, string];
    return [{ labels: {}, value: Number(value) }];
  }
  if (resultType !== 'vector') {
    throw new Error(`Expected an instant vector but got a ${resultType}.`);
  }
  return (
    result as { metric: Record<string, string>; value: [number, string] }[]
  ).map((sample) => ({
    labels: sample.metric,
    value: Number(sample.value[1]),
  }));
}
