import { Octokit } from '@octokit/rest';
import type { Logger } from './logger.js';

/** How many times a request is sent again after a secondary rate limit. */
const MAX_RATE_LIMIT_RETRIES = 3;
/** Longest wait the client accepts from a `retry-after` header. */
const MAX_RETRY_AFTER_MS = 60_000;

export interface GitHubClientOptions {
  token: string;
  /** REST base URL: GITHUB_API_URL, such as https://api.github.com. */
  apiUrl: string;
  /** GraphQL endpoint: GITHUB_GRAPHQL_URL. */
  graphqlUrl: string;
  logger: Logger;
  /** Waits `ms`; tests pass a faster clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** An Octokit for REST, a GraphQL caller and a count of requests sent. */
export interface GitHubClient {
  rest: Octokit;
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** HTTP requests sent so far, retries included. */
  readonly calls: number;
  /** Requests per route (`GET /repos/{owner}/{repo}/pulls`), for the summary. */
  readonly callsByRoute: ReadonlyMap<string, number>;
}

/**
 * Builds a GitHub client from the runner's URLs, so it works against
 * GitHub.com, GitHub Enterprise Server or a fake. Secondary rate limits
 * (403 or 429 with `retry-after`) are waited out and the request is retried.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const sleep =
    options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const rest = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/$/, ''),
    userAgent: 'resilience-actions',
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => options.logger.debug(message),
      error: (message: string) => options.logger.debug(message),
    },
  });
  const byRoute = new Map<string, number>();
  let calls = 0;

  rest.hook.wrap('request', async (request, requestOptions) => {
    const route = `${requestOptions.method} ${requestOptions.url}`;
    for (let attempt = 0; ; attempt += 1) {
      calls += 1;
      byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
      try {
        return await request(requestOptions);
      } catch (error) {
        const wait = retryAfterMs(error);
        if (wait === undefined || attempt >= MAX_RATE_LIMIT_RETRIES)
          throw error;
        options.logger.warning(
          `GitHub secondary rate limit on ${route}; retrying in ${wait} ms (attempt ${attempt + 1} of ${MAX_RATE_LIMIT_RETRIES}).`,
        );
        await sleep(wait);
      }
    }
  });

  // The endpoint comes from GITHUB_GRAPHQL_URL rather than from the REST
  // base URL, and requests still pass through the hook above.
  const graphql = rest.graphql.defaults({ url: options.graphqlUrl });
  return {
    rest,
    graphql: <T>(query: string, variables: Record<string, unknown> = {}) =>
      graphql<T>(query, variables),
    get calls() {
      return calls;
    },
    callsByRoute: byRoute,
  };
}

/** Returns the wait a secondary rate limit asks for, or undefined. */
function retryAfterMs(error: unknown): number | undefined {
  const { status, response } = error as {
    status?: number;
    response?: { headers?: Record<string, string | undefined> };
  };
  if (status !== 403 && status !== 429) return undefined;
  const header = response?.headers?.['retry-after'];
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
}
