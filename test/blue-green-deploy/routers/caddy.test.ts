import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import {
  buildUpstreams,
  poolShares,
  smallestRatio,
  stateFromHandler,
  type CaddyHandler,
} from '../../../src/blue-green-deploy/routers/caddy-upstreams.js';
import { createCaddyRouter } from '../../../src/blue-green-deploy/routers/caddy.js';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { memoryLogger } from '../../../src/shared/logger.js';
import { freePort } from '../../helpers/ports.js';

const ID = 'blue-green-web';
const backends = { blue: ['127.0.0.1:8081'], green: ['127.0.0.1:8082'] };

test('smallestRatio reduces shares', () => {
  const cases: Array<[number, number, Array<[string, number]>]> = [
    [100, 0, [['blue', 1]]],
    [
      90,
      10,
      [
        ['blue', 9],
        ['green', 1],
      ],
    ],
    [
      50,
      50,
      [
        ['blue', 1],
        ['green', 1],
      ],
    ],
    [
      75,
      25,
      [
        ['blue', 3],
        ['green', 1],
      ],
    ],
    [
      33,
      67,
      [
        ['blue', 33],
        ['green', 67],
      ],
    ],
    [0, 100, [['green', 1]]],
  ];
  for (const [blue, green, expected] of cases) {
    assert.deepEqual(smallestRatio(poolShares({ blue, green })), expected);
  }
});

test('poolShares rejects bad weights', () => {
  assert.throws(
    () => poolShares({ blue: 12.5, green: 87.5 }),
    (error: unknown) =>
      error instanceof ConfigurationError && error.message.includes('12.5'),
  );
  assert.throws(() => poolShares({ blue: 90, green: 20 }), /sum to 100/);
  assert.throws(() => poolShares({ blue: -10, green: 110 }), /-10/);
});

test('repeated list spreads colors evenly', () => {
  const { upstreams, policy } = buildUpstreams(
    ID,
    { blue: 80, green: 20 },
    backends,
    'repeated',
  );
  assert.deepEqual(policy, { policy: 'round_robin' });
  assert.deepEqual(
    upstreams.map((upstream) => upstream['@id']),
    [
      `${ID}.blue.0`,
      `${ID}.green.0`,
      `${ID}.blue.1`,
      `${ID}.blue.2`,
      `${ID}.blue.3`,
    ],
  );
  assert.deepEqual(
    stateFromHandler(ID, {
      upstreams,
      load_balancing: { selection_policy: policy },
    }),
    {
      weights: { blue: 80, green: 20 },
      backends,
      policy: 'round_robin',
    },
  );
});

test('weighted list carries weights', () => {
  const { upstreams, policy } = buildUpstreams(
    ID,
    { blue: 90, green: 10 },
    backends,
    'weighted_round_robin',
  );
  assert.deepEqual(policy, { policy: 'weighted_round_robin', weights: [9, 1] });
  assert.equal(upstreams.length, 2);
  const state = stateFromHandler(ID, {
    upstreams,
    load_balancing: { selection_policy: policy },
  });
  assert.deepEqual(state.weights, { blue: 90, green: 10 });
});

test('zero percent leaves the color out', () => {
  for (const mode of ['repeated', 'weighted_round_robin'] as const) {
    const { upstreams } = buildUpstreams(
      ID,
      { blue: 0, green: 100 },
      backends,
      mode,
    );
    assert.deepEqual(upstreams, [
      { '@id': `${ID}.green.0`, dial: backends.green[0] },
    ]);
  }
});

test('missing backend is a configuration error', () => {
  assert.throws(
    () =>
      buildUpstreams(
        ID,
        { blue: 50, green: 50 },
        { blue: backends.blue },
        'repeated',
      ),
    (error: unknown) =>
      error instanceof ConfigurationError && error.message.includes('green'),
  );
});

/**
 * Starts a stand-in for the admin API of a Caddy that has weighted_round_robin
 * (2.7 and later), which Debian's caddy 2.6.2 lacks. With `weighted` false it
 * rejects that policy with the error text Caddy 2.6.2 returns.
 */
async function startAdminFake(weighted: boolean) {
  let handler: CaddyHandler = {
    '@id': ID,
    handler: 'reverse_proxy',
    upstreams: [{ '@id': `${ID}.blue.0`, dial: backends.blue[0] }],
    transport: { protocol: 'http' },
  };
  const patches: CaddyHandler[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.setHeader('Content-Type', 'application/json');
      if (request.url !== `/id/${ID}`) {
        response.statusCode = 404;
        response.end(JSON.stringify({ error: `unknown object ID` }));
        return;
      }
      if (request.method === 'PATCH') {
        const next = JSON.parse(body) as CaddyHandler;
        patches.push(next);
        const policy = next.load_balancing?.selection_policy?.policy;
        if (!weighted && policy === 'weighted_round_robin') {
          response.statusCode = 500;
          response.end(
            JSON.stringify({
              error:
                "loading module 'weighted_round_robin': unknown module: http.reverse_proxy.selection_policies.weighted_round_robin",
            }),
          );
          return;
        }
        handler = next;
      }
      response.end(JSON.stringify(handler));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    patches,
    current: () => handler,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test('weighted Caddy gets weighted_round_robin', async () => {
  const fake = await startAdminFake(true);
  try {
    const router = createCaddyRouter(
      { adminUrl: fake.url, service: 'web', requestTimeoutMs: 2000 },
      memoryLogger(),
    );
    await router.apply({ blue: 90, green: 10 }, backends);
    await router.verify({ blue: 90, green: 10 }, backends);
    const handler = fake.current();
    assert.deepEqual(handler.load_balancing?.selection_policy, {
      policy: 'weighted_round_robin',
      weights: [9, 1],
    });
    assert.equal(handler.upstreams?.length, 2);
    assert.deepEqual(handler.transport, { protocol: 'http' });
    assert.equal(fake.patches.length, 1);
  } finally {
    await fake.close();
  }
});

test('fallback is learned once', async () => {
  const fake = await startAdminFake(false);
  try {
    const router = createCaddyRouter(
      { adminUrl: fake.url, service: 'web', requestTimeoutMs: 2000 },
      memoryLogger(),
    );
    await router.apply({ blue: 90, green: 10 }, backends);
    assert.equal(fake.patches.length, 2);
    assert.equal(fake.current().upstreams?.length, 10);
    await router.apply({ blue: 50, green: 50 }, backends);
    assert.equal(fake.patches.length, 3);
    assert.deepEqual((await router.read()).weights, { blue: 50, green: 50 });
  } finally {
    await fake.close();
  }
});

test('replicas share their color evenly', () => {
  const replicated = {
    blue: ['127.0.0.1:8081', '127.0.0.1:8082'],
    green: ['127.0.0.1:9081', '127.0.0.1:9082', '127.0.0.1:9083'],
  };
  const listed = buildUpstreams(
    ID,
    { blue: 50, green: 50 },
    replicated,
    'repeated',
  );
  const dials = listed.upstreams.map((upstream) => upstream.dial ?? '');
  for (const address of [...replicated.blue, ...replicated.green]) {
    assert.ok(dials.includes(address), `${address} is in the list`);
  }
  const blueEntries = dials.filter((dial) => replicated.blue.includes(dial));
  assert.equal(blueEntries.length * 2, dials.length, 'blue keeps half');
  const weighted = buildUpstreams(
    ID,
    { blue: 50, green: 50 },
    replicated,
    'weighted_round_robin',
  );
  assert.equal(weighted.upstreams.length, 5);
  const weights = (weighted.policy as { weights: number[] }).weights;
  assert.equal(weights[0] + weights[1], weights[2] + weights[3] + weights[4]);
  const read = stateFromHandler(ID, {
    '@id': ID,
    handler: 'reverse_proxy',
    upstreams: listed.upstreams,
    load_balancing: { selection_policy: listed.policy },
  });
  assert.deepEqual(read.weights, { blue: 50, green: 50 });
  assert.deepEqual(read.backends.green?.sort(), replicated.green);
});
