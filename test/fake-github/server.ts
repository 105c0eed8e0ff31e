// A stateful fake of GitHub's REST and GraphQL APIs on 127.0.0.1. Every
// request must match an operation of GitHub's OpenAPI description and its
// request schema; every response is checked against the response schema.
// A mismatch is recorded in `violations` and answered with 500, so a test
// that asserts `violations` is empty catches it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from '../helpers/ports.js';
import { handleGraphql, type GraphqlResolvers } from './graphql.js';
import { openApi, type Operation } from './openapi.js';
import { FakeState } from './state.js';

export interface RouteContext {
  state: FakeState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Absolute URL of this request, for Link headers. */
  url: URL;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (context: RouteContext) => Reply;

/** A request as the fake received it, for assertions and call counts. */
export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  status: number;
}

export class FakeGitHub {
  readonly state = new FakeState();
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly routes = new Map<string, RouteHandler>();
  private readonly graphqlResolvers: GraphqlResolvers = {};
  private server?: Server;
  private port = 0;

  /** Adds or replaces the handler of an OpenAPI operation, by path template. */
  route(method: string, template: string, handler: RouteHandler): this {
    this.routes.set(`${method.toLowerCase()} ${template}`, handler);
    return this;
  }

  /** Adds GraphQL root fields (queries and mutations) by name. */
  graphql(resolvers: GraphqlResolvers): this {
    Object.assign(this.graphqlResolvers, resolvers);
    return this;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get graphqlUrl(): string {
    return `${this.apiUrl}/graphql`;
  }

  async start(): Promise<void> {
    openApi();
    this.port = await freePort();
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          ...headers,
        });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) =>
      this.server?.listen(this.port, '127.0.0.1', resolve),
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', this.apiUrl);
    const text = await readBody(req);
    const method = req.method ?? 'GET';
    const record = (operationId: string, reply: Reply) => {
      this.requests.push({
        method,
        path: url.pathname,
        operationId,
        status: reply.status,
      });
      return reply;
    };
    if (!/^(token|bearer) \S+/i.test(req.headers.authorization ?? '')) {
      return record('unauthenticated', {
        status: 401,
        body: { message: 'Requires authentication' },
      });
    }
    // NOTE: this reply is not checked against the description, because
    // not every operation documents a 403.
    if (this.state.rateLimitNext > 0) {
      this.state.rateLimitNext -= 1;
      return record('secondary-rate-limit', {
        status: 403,
        headers: { 'retry-after': String(this.state.retryAfterSeconds) },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
      });
    }
    if (url.pathname === '/graphql' && method === 'POST') {
      const reply = handleGraphql(
        this.state,
        this.graphqlResolvers,
        text,
        this.violations,
      );
      return record('graphql', reply);
    }
    const operation = openApi().find(method, url.pathname);
    if (!operation) {
      const message = `${method} ${url.pathname} is not in GitHub's OpenAPI description`;
      this.violations.push(message);
      return record('unknown', { status: 404, body: { message } });
    }
    return record(operation.operationId, this.dispatch(operation, url, text));
  }

  private dispatch(operation: Operation, url: URL, text: string): Reply {
    const api = openApi();
    let body: Record<string, unknown>;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return { status: 400, body: { message: 'Problems parsing JSON' } };
    }
    const requestErrors = text ? api.validateRequest(operation, body) : [];
    if (requestErrors.length > 0) {
      this.violations.push(...requestErrors);
      return {
        status: 422,
        body: { message: requestErrors.join('; '), documentation_url: '' },
      };
    }
    const handler = this.routes.get(
      `${operation.method} ${operation.template}`,
    );
    if (!handler) {
      const message = `The fake does not implement ${operation.method.toUpperCase()} ${operation.template}`;
      this.violations.push(message);
      return { status: 501, body: { message } };
    }
    const reply = handler({
      state: this.state,
      params: operation.params,
      query: url.searchParams,
      body,
      url,
    });
    const responseErrors = api.validateResponse(
      operation,
      reply.status,
      reply.body,
    );
    if (responseErrors.length > 0) {
      this.violations.push(...responseErrors);
      return { status: 500, body: { message: responseErrors.join('; ') } };
    }
    return reply;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Returns one page of `items` with a Link header, as GitHub paginates. */
export function page<T>(
  context: RouteContext,
  items: T[],
  map: (item: T) => unknown,
  options: { cursor?: boolean } = {},
): Reply {
  const perPage = Math.min(Number(context.query.get('per_page') ?? 30), 100);
  const cursor = context.query.get('after');
  const pageNumber = Number(context.query.get('page') ?? 1);
  const start = cursor !== null ? Number(cursor) : (pageNumber - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  const headers: Record<string, string> = {};
  if (start + perPage < items.length) {
    const next = new URL(context.url);
    if (options.cursor) next.searchParams.set('after', String(start + perPage));
    else next.searchParams.set('page', String(pageNumber + 1));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: slice.map(map), headers };
}
