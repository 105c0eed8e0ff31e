// A fake of the one Traefik API endpoint the Traefik driver calls,
// GET /api/http/services/<name>@file, listening on 127.0.0.1. Traefik itself
// is not installable here. Like Traefik's file provider, the fake applies a
// changed file only after a delay (Traefik's providersThrottleDuration).
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parse } from 'yaml';
import type { DynamicConfig } from '../../../src/blue-green-deploy/routers/traefik-config.js';
import { freePort } from '../../helpers/ports.js';

/**
 * Shape of one service in Traefik's API, from Traefik's own handler
 * (pkg/api/handler_http.go, serviceRepresentation): the runtime service info
 * (the dynamic service plus `err`, `status`, `usedBy`) and `serverStatus`,
 * `name`, `provider` and a lower-case `type`.
 */
export const serviceInfoSchema = {
  type: 'object',
  required: ['name', 'provider', 'status', 'type'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[^@]+@file$' },
    provider: { const: 'file' },
    status: { enum: ['enabled', 'disabled', 'warning'] },
    type: { enum: ['loadbalancer', 'weighted', 'mirroring', 'failover'] },
    usedBy: { type: 'array', items: { type: 'string' } },
    err: { type: 'array', items: { type: 'string' } },
    serverStatus: {
      type: 'object',
      additionalProperties: { enum: ['UP', 'DOWN'] },
    },
    weighted: {
      type: 'object',
      properties: {
        services: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string' },
              weight: { type: 'integer' },
            },
          },
        },
      },
    },
    loadBalancer: {
      type: 'object',
      properties: {
        servers: {
          type: 'array',
          items: {
            type: 'object',
            required: ['url'],
            properties: { url: { type: 'string' } },
          },
        },
        passHostHeader: { type: 'boolean' },
      },
    },
  },
} as const;

export interface FakeTraefik {
  url: string;
  /** Responses that did not match serviceInfoSchema. */
  invalidResponses: string[];
  requests: number;
  /** Stops applying file changes, as a Traefik that rejects the file would. */
  freeze(): void;
  /** Marks the weighted service disabled with this error. */
  disable(error: string): void;
  close(): Promise<void>;
}

function usedBy(config: DynamicConfig, service: string): string[] {
  return Object.entries(config.http?.routers ?? {})
    .filter(([, router]) => router.service === service)
    .map(([name]) => `${name}@file`);
}

function representation(
  config: DynamicConfig,
  name: string,
  disabledError: string | undefined,
): Record<string, unknown> | undefined {
  const service = config.http?.services?.[name];
  if (service === undefined) return undefined;
  const common = {
    name: `${name}@file`,
    provider: 'file',
    usedBy: usedBy(config, name),
  };
  if (service.weighted) {
    return {
      ...common,
      weighted: service.weighted,
      type: 'weighted',
      status: disabledError ? 'disabled' : 'enabled',
      ...(disabledError ? { err: [disabledError] } : {}),
    };
  }
  const servers = service.loadBalancer?.servers ?? [];
  return {
    ...common,
    loadBalancer: { servers, passHostHeader: true },
    serverStatus: Object.fromEntries(servers.map((s) => [s.url, 'UP'])),
    type: 'loadbalancer',
    status: 'enabled',
  };
}

/** Starts the fake; it follows `file` and applies changes after `lagMs`. */
export async function startFakeTraefik(
  file: string,
  lagMs: number,
): Promise<FakeTraefik> {
  const validate = new Ajv().compile(serviceInfoSchema);
  let applied: DynamicConfig = {};
  let seen = '';
  let frozen = false;
  let disabledError: string | undefined;
  let pending: NodeJS.Timeout | undefined;

  const watcher = setInterval(() => {
    if (frozen) return;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No file yet: nothing to apply.
    }
    if (text === seen) return;
    seen = text;
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (!frozen) applied = (parse(text) ?? {}) as DynamicConfig;
    }, lagMs);
  }, 20);

  const fake: FakeTraefik = {
    url: '',
    invalidResponses: [],
    requests: 0,
    freeze: () => {
      frozen = true;
      clearTimeout(pending);
    },
    disable: (error) => (disabledError = error),
    close: async () => {
      clearInterval(watcher);
      clearTimeout(pending);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const server = http.createServer((request, response) => {
    fake.requests++;
    const match = /^\/api\/http\/services\/([^/?]+)@file$/.exec(
      request.url ?? '',
    );
    const body = match
      ? representation(applied, decodeURIComponent(match[1]), disabledError)
      : undefined;
    response.setHeader('Content-Type', 'application/json');
    if (request.method !== 'GET' || body === undefined) {
      response.statusCode = 404;
      response.end(JSON.stringify({ message: 'service not found' }));
      return;
    }
    if (!validate(body)) {
      fake.invalidResponses.push(JSON.stringify(validate.errors));
    }
    response.end(JSON.stringify(body));
  });
  const port = await freePort();
  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}
