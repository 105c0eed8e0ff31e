import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBundledAction } from '../helpers/action.js';
import { startHaproxy, type Balancer } from '../helpers/balancers.js';
import {
  buildDemoImages,
  removeServiceContainers,
  serviceContainerNames,
} from '../helpers/docker.js';
import { freePort } from '../helpers/ports.js';
import { startSshd, type SshServer } from '../helpers/sshd.js';

const service = 'bgtest-ssh';
let sshd: SshServer;
let balancer: Balancer;
let ports: [number, number];

const run = (extra: Record<string, string>) =>
  runBundledAction('blue-green-deploy', {
    service,
    'docker-host': sshd.url,
    'docker-ssh-key': sshd.privateKey,
    'docker-ssh-host-key': sshd.hostKey,
    'blue-port': String(ports[0]),
    'green-port': String(ports[1]),
    'health-interval': '250ms',
    ...balancer.inputs,
    ...extra,
  });

before(async () => {
  await buildDemoImages();
  await removeServiceContainers(service);
  ports = [await freePort(), await freePort()];
  balancer = await startHaproxy(service, ports);
  sshd = await startSshd();
});

after(async () => {
  await balancer?.stop();
  await sshd?.stop();
  await removeServiceContainers(service);
});

test('deploys through an ssh docker-host', async () => {
  const first = await run({ image: 'resilience-demo:v1' });
  assert.equal(first.exitCode, 0, first.stdout + first.stderr);
  const second = await run({ image: 'resilience-demo:v2' });
  assert.equal(second.exitCode, 0, second.stdout + second.stderr);
  assert.equal(second.outputs['active-color'], 'green');
  assert.doesNotMatch(second.stdout, /host key is not checked/);
  const names = await serviceContainerNames(service);
  assert.ok(names.includes(`${service}-green`), names.join(', '));
  const response = await fetch(balancer.url, {
    headers: { connection: 'close' },
  });
  assert.equal(((await response.json()) as { version: string }).version, 'v2');
});

test('wrong ssh host key is rejected', async () => {
  const other = await startSshd();
  try {
    const result = await run({
      mode: 'status',
      'docker-ssh-host-key': other.hostKey,
    });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stdout, /does not match input "docker-ssh-host-key"/);
  } finally {
    await other.stop();
  }
});

test('ssh private key never reaches the log', async () => {
  const result = await run({ mode: 'status' });
  assert.equal(result.exitCode, 0, result.stdout);
  const body = sshd.privateKey.split('\n')[1];
  const unmasked = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'));
  assert.ok(!unmasked.some((line) => line.includes(body)));
});
