import { Ajv } from 'ajv';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import type { Weights } from '../../../src/blue-green-deploy/routers/router.js';
import {
  buildDynamicConfig,
  stateFromDynamicConfig,
  type TraefikSettings,
} from '../../../src/blue-green-deploy/routers/traefik-config.js';
import {
  createTraefikRouter,
  writeFileAtomic,
} from '../../../src/blue-green-deploy/routers/traefik.js';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { memoryLogger } from '../../../src/shared/logger.js';
import { freePort } from '../../helpers/ports.js';
import { startFakeTraefik } from './traefik-fake-api.js';

const schema = JSON.parse(
  await readFile('test/fixtures/schemas/traefik-v3-file-provider.json', 'utf8'),
);
const validateDynamic = new Ajv().compile(schema);

const backends = { blue: ['web-blue:8080'], green: ['web-green:8080'] };
const steps: Weights[] = [
  { blue: 100, green: 0 },
  { blue: 90, green: 10 },
  { blue: 50, green: 50 },
  { blue: 0, green: 100 },
];

let workDir: string;

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'traefik-router-'));
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  return mkdtemp(join(workDir, 'dynamic-'));
}

function settingsFor(dir: string, extra: Partial<TraefikSettings> = {}) {
  return {
    service: 'web',
    dynamicDir: dir,
    entryPoints: ['web'],
    rule: 'Host(`app.example.com`)',
    applyTimeoutMs: 3000,
    pollIntervalMs: 50,
    ...extra,
  } satisfies TraefikSettings;
}

function schemaErrors(document: unknown): string {
  return validateDynamic(document)
    ? ''
    : JSON.stringify(validateDynamic.errors);
}

test('schema is draft-07 and rejects bad documents', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const good = buildDynamicConfig(
    settingsFor(workDir),
    { blue: 90, green: 10 },
    backends,
  );
  assert.equal(schemaErrors(good), '');
  const noRule = structuredClone(good);
  delete noRule.http!.routers!.web.rule;
  assert.notEqual(schemaErrors(noRule), '', 'router without rule passed');
  const twoKinds = structuredClone(good);
  twoKinds.http!.services!.web.loadBalancer = { servers: [{ url: 'x' }] };
  assert.notEqual(schemaErrors(twoKinds), '', 'service of two kinds passed');
});

for (const weights of steps) {
  test(`apply ${weights.blue}/${weights.green} writes a valid file`, async () => {
    const dir = await freshDir();
    const router = createTraefikRouter(settingsFor(dir), memoryLogger());
    await router.apply(weights, backends);

    const document = parse(await readFile(join(dir, 'web.yml'), 'utf8'));
    assert.equal(schemaErrors(document), '');
    const entries = document.http.services.web.weighted.services;
    const inPool = (['blue', 'green'] as const).filter(
      (color) => (weights[color] ?? 0) > 0,
    );
    assert.deepEqual(
      entries.map((entry: { name: string }) => entry.name),
      inPool.map((color) => `web-${color}`),
    );
    for (const color of ['blue', 'green'] as const) {
      const service = document.http.services[`web-${color}`];
      if ((weights[color] ?? 0) === 0) {
        assert.equal(service, undefined, `${color} at 0% has a service`);
      } else {
        assert.deepEqual(service.loadBalancer.servers, [
          { url: `http://${backends[color][0]}` },
        ]);
      }
    }
    assert.deepEqual(document.http.routers.web, {
      entryPoints: ['web'],
      rule: 'Host(`app.example.com`)',
      service: 'web',
    });

    const state = await router.read();
    const expected = Object.fromEntries(
      Object.entries(weights).filter(([, percent]) => percent > 0),
    );
    assert.deepEqual(state.weights, expected);
    for (const color of inPool) {
      assert.deepEqual(state.backends[color], backends[color]);
    }
    await router.verify(weights, backends);
  });
}

test('read of a missing file is empty', async () => {
  const router = createTraefikRouter(
    settingsFor(await freshDir()),
    memoryLogger(),
  );
  assert.deepEqual(await router.read(), { weights: {}, backends: {} });
});

test('verify fails on other weights', async () => {
  const router = createTraefikRouter(
    settingsFor(await freshDir()),
    memoryLogger(),
  );
  await router.apply({ blue: 50, green: 50 }, backends);
  await assert.rejects(
    router.verify({ blue: 90, green: 10 }, backends),
    /blue 90%, green 10%: it routes blue 50%, green 50%/,
  );
});

test('custom file name is used', async () => {
  const dir = await freshDir();
  const settings = settingsFor(dir, { fileName: 'blue-green.yaml' });
  await createTraefikRouter(settings, memoryLogger()).apply(steps[1], backends);
  assert.deepEqual(await readdir(dir), ['blue-green.yaml']);
});

test('bad settings raise configuration errors', async () => {
  const dir = await freshDir();
  const cases: Array<[Partial<TraefikSettings>, string]> = [
    [{ fileName: 'web.toml' }, '"web.toml"'],
    [{ fileName: '../web.yml' }, '"../web.yml"'],
    [{ service: 'web@docker' }, '"web@docker"'],
    [{ entryPoints: [] }, 'entry points'],
    [{ rule: ' ' }, 'rule'],
    [{ apiUrl: '127.0.0.1:8080' }, '"127.0.0.1:8080"'],
  ];
  for (const [extra, named] of cases) {
    assert.throws(
      () => createTraefikRouter(settingsFor(dir, extra), memoryLogger()),
      (error: unknown) =>
        error instanceof ConfigurationError && error.message.includes(named),
      JSON.stringify(extra),
    );
  }
  const router = createTraefikRouter(settingsFor(dir), memoryLogger());
  await assert.rejects(
    router.apply({ blue: 90, green: 10 }, { blue: ['web-blue:8080'] }),
    (error: unknown) =>
      error instanceof ConfigurationError && error.message.includes('green'),
  );
  await assert.rejects(
    router.apply({ blue: 89.5, green: 10.5 }, backends),
    (error: unknown) =>
      error instanceof ConfigurationError && error.message.includes('89.5'),
  );
});

test('missing directory is a configuration error', async () => {
  const dir = join(workDir, 'does-not-exist');
  const router = createTraefikRouter(settingsFor(dir), memoryLogger());
  await assert.rejects(
    router.apply(steps[0], backends),
    (error: unknown) =>
      error instanceof ConfigurationError &&
      error.message.includes(`"${dir}" does not exist`),
  );
});

test('foreign weighted entry is rejected', () => {
  assert.throws(
    () =>
      stateFromDynamicConfig('web', {
        http: {
          services: {
            web: { weighted: { services: [{ name: 'api', weight: 1 }] } },
          },
        },
      }),
    (error: unknown) =>
      error instanceof ConfigurationError && error.message.includes('"api"'),
  );
});

/**
 * Reader loop, run in its own process while the test writes: it parses the
 * file as fast as it can and reports each read that is not a whole document
 * (missing, unparsable, or weights not summing to 100), and every other .yml
 * file it finds in the directory, since Traefik would load those too.
 */
const READER = `
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
const [file, dir, name] = process.argv.slice(1);
let stop = false;
process.stdin.on('data', () => {});
process.stdin.on('end', () => (stop = true));
const report = { reads: 0, torn: [], states: new Set(), strays: new Set() };
while (!stop) {
  for (let i = 0; i < 200; i++) {
    report.reads++;
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
      const doc = parse(text);
      const entries = doc.http.services.web.weighted.services;
      const sum = entries.reduce((s, e) => s + e.weight, 0);
      if (sum !== 100) throw new Error('weights sum to ' + sum);
      report.states.add(JSON.stringify(entries));
    } catch (error) {
      if (report.torn.length < 5) report.torn.push(String(error).slice(0, 80));
      else report.torn.push('');
    }
    if (i % 20 === 0) {
      for (const entry of readdirSync(dir)) {
        if (/\\.ya?ml$/.test(entry) && entry !== name) report.strays.add(entry);
      }
    }
  }
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(JSON.stringify({
  reads: report.reads, torn: report.torn.length,
  samples: report.torn.filter(Boolean), states: report.states.size,
  strays: [...report.strays],
}));
`;

interface ReaderReport {
  reads: number;
  torn: number;
  samples: string[];
  states: number;
  strays: string[];
}

/** Runs the reader while `write` runs, and returns its report. */
async function readWhile(
  file: string,
  dir: string,
  write: () => Promise<void>,
): Promise<ReaderReport> {
  const reader = spawn(
    process.execPath,
    ['--input-type=module', '-e', READER, file, dir, 'web.yml'],
    { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  reader.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => reader.once('exit', resolve));
  // Give the reader time to start its loop before the writes begin.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await write();
  reader.stdin.end();
  await exited;
  return JSON.parse(output) as ReaderReport;
}

test('concurrent reader never sees a partial file', async () => {
  const dir = await freshDir();
  const file = join(dir, 'web.yml');
  const router = createTraefikRouter(settingsFor(dir), memoryLogger());
  await router.apply(steps[0], backends);
  const report = await readWhile(file, dir, async () => {
    for (let index = 0; index < 200; index++) {
      await router.apply(steps[index % steps.length], backends);
    }
  });
  assert.equal(report.torn, 0, `torn reads: ${report.samples.join(' | ')}`);
  assert.ok(report.reads > 1000, `only ${report.reads} reads`);
  assert.ok(report.states > 1, 'the reader never saw a write land');
  assert.deepEqual(report.strays, []);
  assert.deepEqual(await readdir(dir), ['web.yml']);
});

test('reader catches an in-place rewrite', async () => {
  // Control for the test above: a writer that truncates and rewrites the
  // file in place must be caught, or the reader proves nothing.
  const dir = await freshDir();
  const file = join(dir, 'web.yml');
  const settings = settingsFor(dir);
  const texts = steps.map((weights) =>
    JSON.stringify(buildDynamicConfig(settings, weights, backends)),
  );
  await writeFileAtomic(file, texts[0]);
  const report = await readWhile(file, dir, async () => {
    for (let index = 0; index < 40; index++) {
      const text = texts[index % texts.length];
      const handle = await open(file, 'w');
      await handle.write(text.slice(0, text.length / 2));
      await new Promise((resolve) => setTimeout(resolve, 2));
      await handle.write(text.slice(text.length / 2));
      await handle.close();
    }
  });
  assert.ok(report.torn > 0, `no torn read in ${report.reads} reads`);
});

test('api confirms the applied file', async () => {
  const dir = await freshDir();
  const fake = await startFakeTraefik(join(dir, 'web.yml'), 300);
  try {
    const logger = memoryLogger();
    const router = createTraefikRouter(
      settingsFor(dir, { apiUrl: fake.url }),
      logger,
    );
    assert.deepEqual(await router.read(), { weights: {}, backends: {} });

    for (const weights of [steps[1], steps[2]]) {
      await router.apply(weights, backends);
      const started = Date.now();
      const state = await router.read();
      const waited = Date.now() - started;
      assert.deepEqual(state.weights, weights);
      assert.deepEqual(state.backends, backends);
      assert.ok(
        waited >= 200,
        `read returned after ${waited} ms, before the lag`,
      );
      await router.verify(weights, backends);
    }
    assert.deepEqual(fake.invalidResponses, []);
    assert.ok(fake.requests > 4, `only ${fake.requests} API requests`);
    assert.ok(
      !logger.lines.some((line) => line.startsWith('warning')),
      logger.lines.join('\n'),
    );
  } finally {
    await fake.close();
  }
});

test('api lag past the timeout fails verify', async () => {
  const dir = await freshDir();
  const fake = await startFakeTraefik(join(dir, 'web.yml'), 100);
  try {
    const logger = memoryLogger();
    const router = createTraefikRouter(
      settingsFor(dir, { apiUrl: fake.url, applyTimeoutMs: 500 }),
      logger,
    );
    await router.apply(steps[0], backends);
    await router.verify(steps[0], backends);
    fake.freeze();
    await router.apply(steps[1], backends);
    await assert.rejects(
      router.verify(steps[1], backends),
      /blue 90%, green 10%: it routes blue 100%.*Traefik's API/,
    );
    assert.ok(
      logger.lines.some((line) =>
        line.startsWith('warning: Traefik has not applied'),
      ),
      logger.lines.join('\n'),
    );
    assert.deepEqual(fake.invalidResponses, []);
  } finally {
    await fake.close();
  }
});

test('api disabled service reads as empty', async () => {
  const dir = await freshDir();
  const fake = await startFakeTraefik(join(dir, 'web.yml'), 50);
  try {
    const logger = memoryLogger();
    const router = createTraefikRouter(
      settingsFor(dir, { apiUrl: fake.url, applyTimeoutMs: 300 }),
      logger,
    );
    await router.apply(steps[2], backends);
    await router.verify(steps[2], backends);
    fake.disable('the service "web-green@file" does not exist');
    assert.deepEqual((await router.read()).weights, {});
    assert.ok(
      logger.lines.some((line) => line.includes('web-green@file')),
      logger.lines.join('\n'),
    );
  } finally {
    await fake.close();
  }
});

test('unreachable api names the URL', async () => {
  const dir = await freshDir();
  const apiUrl = `http://127.0.0.1:${await freePort()}`;
  const router = createTraefikRouter(
    settingsFor(dir, { apiUrl }),
    memoryLogger(),
  );
  await assert.rejects(router.read(), (error: unknown) =>
    String(error).includes(`${apiUrl}/api/http/services/web@file`),
  );
});

test('replicas become servers of their color', async () => {
  const dir = await freshDir();
  const router = createTraefikRouter(settingsFor(dir), memoryLogger());
  const replicated = {
    blue: ['web-blue:8080', 'web-blue-2:8080'],
    green: ['web-green:8080'],
  };
  await router.apply({ blue: 50, green: 50 }, replicated);
  const state = await router.read();
  assert.deepEqual(state.backends.blue, replicated.blue);
  assert.deepEqual(state.backends.green, replicated.green);
  await router.verify({ blue: 50, green: 50 }, replicated);
  await assert.rejects(
    router.verify(
      { blue: 50, green: 50 },
      { ...replicated, blue: ['web-blue:8080'] },
    ),
    /blue goes to web-blue:8080,web-blue-2:8080/,
  );
});
