import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { memoryLogger } from '../../src/shared/logger.js';
import {
  PrometheusClient,
  PrometheusQueryError,
  PrometheusUnavailableError,
} from '../../src/shared/prometheus.js';
import { freePort } from '../helpers/ports.js';

type Handler = (
  req: IncomingMessage,
  body: string,
) => { status: number; body?: unknown; delayMs?: number };

const vector = (value: string) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: [{ metric: { job: 'api' }, value: [1, value] }],
  },
});

describe('PrometheusClient', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  const seen: { auth?: string; body: string }[] = [];

  before(async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        const reply = handler(req, body);
        setTimeout(() => {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply.body ?? {}));
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    url = `http://127.0.0.1:${port}`;
  });
  after(() => server.close());
  beforeEach(() => (seen.length = 0));

  const client = (
    extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {},
  ) =>
    new PrometheusClient({
      url,
      timeoutMs: 1000,
      retries: 2,
      retryDelayMs: 10,
      logger: memoryLogger(),
      ...extra,
    });

  it('parses an instant vector', async () => {
    handler = () => ({ status: 200, body: vector('42.5') });
    const samples = await client().query('up', new Date(1_700_000_000_000));
    assert.deepEqual(samples, [{ labels: { job: 'api' }, value: 42.5 }]);
    const params = new URLSearchParams(seen[0].body);
    assert.equal(params.get('query'), 'up');
    assert.equal(params.get('time'), '1700000000');
  });

  it('sends bearer and basic auth', async () => {
    handler = () => ({ status: 200, body: vector('1') });
    await client({ bearerToken: 'abc' }).query('up');
    assert.equal(seen[0].auth, 'Bearer abc');
    await client({ username: 'u', password: 'p' }).query('up');
    assert.equal(
      seen[1].auth,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
  });

  it('retries 503 then succeeds', async () => {
    let calls = 0;
    handler = () =>
      ++calls < 3
        ? { status: 503, body: { status: 'error', error: 'busy' } }
        : { status: 200, body: vector('7') };
    const logger = memoryLogger();
    const samples = await client({ logger }).query('up');
    assert.equal(samples[0].value, 7);
    assert.equal(calls, 3);
    assert.equal(
      logger.lines.filter((l) =>
        l.startsWith('warning: Prometheus request failed (HTTP 503'),
      ).length,
      2,
    );
  });

  it('gives up after the retries', async () => {
    handler = () => ({ status: 502 });
    await assert.rejects(
      client({ retries: 1 }).query('up'),
      (error: unknown) => {
        assert.ok(error instanceof PrometheusUnavailableError);
        assert.match(
          error.message,
          /unavailable after 2 attempt\(s\): HTTP 502/,
        );
        return true;
      },
    );
    assert.equal(seen.length, 2);
  });

  it('does not retry a rejected query', async () => {
    handler = () => ({
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: 'parse error' },
    });
    await assert.rejects(client().query('sum('), (error: unknown) => {
      assert.ok(error instanceof PrometheusQueryError);
      assert.match(error.message, /bad_data\): parse error\. Query: sum\(/);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  it('times out slow answers', async () => {
    handler = () => ({ status: 200, body: vector('1'), delayMs: 500 });
    await assert.rejects(
      client({ timeoutMs: 100, retries: 0 }).query('up'),
      /timed out after 100 ms/,
    );
  });

  it('reports refused connections', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      client({ url: closed, retries: 0 }).query('up'),
      /ECONNREFUSED/,
    );
  });

  it('runs range queries', async () => {
    handler = () => ({
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [10, '1'],
                [20, '2'],
              ],
            },
          ],
        },
      },
    });
    const series = await client().queryRange(
      'up',
      new Date(10_000),
      new Date(20_000),
      10,
    );
    assert.deepEqual(series[0].points, [
      [10, 1],
      [20, 2],
    ]);
    assert.equal(new URLSearchParams(seen[0].body).get('step'), '10');
  });
});
