// Checks the starter files in action-templates/blue-green-deploy: that they
// parse, agree with each other and with what the Traefik and Caddy drivers
// write and expect.
import { Ajv } from 'ajv';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { defaultCaddyHandlerId } from '../../../src/blue-green-deploy/routers/caddy.js';
import { stateFromHandler } from '../../../src/blue-green-deploy/routers/caddy-upstreams.js';
import { buildDynamicConfig } from '../../../src/blue-green-deploy/routers/traefik-config.js';
import { createTraefikRouter } from '../../../src/blue-green-deploy/routers/traefik.js';
import { memoryLogger } from '../../../src/shared/logger.js';

const DIR = 'action-templates/blue-green-deploy';
const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.caddy.yml'];

async function readYaml(path: string) {
  return parse(await readFile(join(DIR, path), 'utf8'));
}

interface ComposeService {
  container_name?: string;
  init?: boolean;
  labels?: Record<string, string>;
  networks?: string[];
  volumes?: string[];
  ports?: string[];
}

for (const file of COMPOSE_FILES) {
  test(`${file} fits Compose v1 and the action`, async () => {
    const compose = await readYaml(file);
    // Compose v1 reads a file without "version" as the legacy v1 format.
    assert.match(compose.version, /^(2\.[1-4]|3(\.\d)?)$/);
    assert.equal(compose.networks.edge.name, 'edge');
    for (const color of ['blue', 'green']) {
      const service: ComposeService = compose.services[`web-${color}`];
      assert.ok(service, `web-${color} is missing`);
      assert.equal(service.container_name, `web-${color}`);
      assert.equal(service.init, true, `web-${color} has no init`);
      assert.deepEqual(service.networks, ['edge']);
      assert.deepEqual(service.labels, {
        'io.resilience-actions.service': 'web',
        'io.resilience-actions.role': 'color',
        'io.resilience-actions.color': color,
      });
    }
    for (const service of Object.values<ComposeService>(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) {
          assert.ok(existsSync(join(DIR, source)), `${source} does not exist`);
        }
      }
    }
  });
}

test('compose files pass docker-compose config', (t) => {
  const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (probe.error) {
    t.skip('docker-compose is not installed');
    return;
  }
  for (const file of COMPOSE_FILES) {
    const result = spawnSync(
      'docker-compose',
      ['-f', join(DIR, file), 'config', '-q'],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 0, `${file}: ${result.stderr}`);
  }
});

test('balancer admin ports bind loopback only', async () => {
  const traefik = (await readYaml('docker-compose.yml')).services.traefik;
  assert.ok(traefik.ports.includes('127.0.0.1:8080:8080'));
  const caddy = (await readYaml('docker-compose.caddy.yml')).services.caddy;
  assert.ok(caddy.ports.includes('127.0.0.1:2019:2019'));
  assert.ok(caddy.command.includes('--resume'), 'caddy runs without --resume');
});

test('traefik static config watches the dynamic dir', async () => {
  const compose = await readYaml('docker-compose.yml');
  const mount = compose.services.traefik.volumes.find((volume: string) =>
    volume.startsWith('./traefik/dynamic:'),
  );
  const staticConfig = await readYaml('traefik/traefik.yml');
  assert.equal(mount.split(':')[1], staticConfig.providers.file.directory);
  assert.equal(staticConfig.providers.file.watch, true);
  assert.equal(staticConfig.entryPoints.web.address, ':80');
  assert.equal(staticConfig.entryPoints.traefik.address, ':8080');
  assert.equal(staticConfig.api.insecure, true);
});

test('traefik dynamic template is valid', async () => {
  const schema = JSON.parse(
    await readFile(
      'test/fixtures/schemas/traefik-v3-file-provider.json',
      'utf8',
    ),
  );
  const validate = new Ajv().compile(schema);
  const dynamic = await readYaml('traefik/dynamic/web.yml');
  const valid = Boolean(validate(dynamic));
  assert.ok(valid, JSON.stringify(validate.errors));

  const staticConfig = await readYaml('traefik/traefik.yml');
  for (const entryPoint of dynamic.http.routers.web.entryPoints) {
    assert.ok(staticConfig.entryPoints[entryPoint], `${entryPoint} undefined`);
  }
  const settings = {
    service: 'web',
    dynamicDir: join(DIR, 'traefik/dynamic'),
    entryPoints: ['web'],
    rule: 'Host(`app.example.com`)',
    applyTimeoutMs: 1000,
    pollIntervalMs: 50,
  };
  const backends = { blue: ['web-blue:8080'] };
  assert.deepEqual(
    dynamic,
    buildDynamicConfig(settings, { blue: 100, green: 0 }, backends),
  );
  const router = createTraefikRouter(settings, memoryLogger());
  assert.deepEqual(await router.read(), { weights: { blue: 100 }, backends });
});

test('caddy template carries the default @id', async () => {
  const config = JSON.parse(
    await readFile(join(DIR, 'caddy/caddy.json'), 'utf8'),
  );
  const handler = config.apps.http.servers.web.routes[0].handle[0];
  const handlerId = defaultCaddyHandlerId('web');
  assert.equal(handler['@id'], handlerId);
  assert.equal(handler.handler, 'reverse_proxy');
  assert.deepEqual(stateFromHandler(handlerId, handler), {
    weights: { blue: 100 },
    backends: { blue: ['web-blue:8080'] },
    policy: 'round_robin',
  });
  const compose = await readYaml('docker-compose.caddy.yml');
  assert.ok(
    compose.services.caddy.ports.includes(
      `127.0.0.1:2019:${config.admin.listen.split(':')[1]}`,
    ),
  );
});
