import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runBundledAction } from '../helpers/action.js';
import {
  startHaproxy,
  startNginx,
  type Balancer,
} from '../helpers/balancers.js';
import {
  buildDemoImages,
  removeServiceContainers,
  serviceContainerNames,
} from '../helpers/docker.js';
import { startLoad } from '../helpers/load.js';
import { freePortRange } from '../helpers/ports.js';
import { allowedResets } from './scenario.js';

const balancers: Record<
  string,
  (service: string, ports: [number, number]) => Promise<Balancer>
> = {
  haproxy: startHaproxy,
  nginx: (service) => startNginx(service),
};

/** Container hosts that answered `count` requests through the balancer. */
async function hostsBehind(url: string, count: number): Promise<Set<string>> {
  const hosts = new Set<string>();
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(url, { headers: { connection: 'close' } });
    hosts.add(((await response.json()) as { host: string }).host);
  }
  return hosts;
}

for (const [name, start] of Object.entries(balancers)) {
  describe(`replicas through ${name}`, () => {
    const service = `bgtest-replicas-${name}`;
    let balancer: Balancer;
    let bluePort: number;
    let greenPort: number;

    const deploy = (extra: Record<string, string>) =>
      runBundledAction('blue-green-deploy', {
        service,
        'blue-port': String(bluePort),
        'green-port': String(greenPort),
        'health-interval': '250ms',
        ...balancer.inputs,
        ...extra,
      });

    before(async () => {
      await buildDemoImages();
      await removeServiceContainers(service);
      // Blue and green replicas use ports from bluePort, ten apart, up to
      // four replicas each.
      bluePort = await freePortRange(14);
      greenPort = bluePort + 10;
      balancer = await start(service, [bluePort, greenPort]);
    });

    after(async () => {
      await balancer?.stop();
      await removeServiceContainers(service);
    });

    test(`${name}: first deploy starts two replicas`, async () => {
      const run = await deploy({ image: 'resilience-demo:v1', replicas: '2' });
      assert.equal(run.exitCode, 0, run.stdout);
      assert.match(run.summary, /2 replica\(s\) healthy/);
      const names = await serviceContainerNames(service);
      assert.ok(names.includes(`${service}-blue`), names.join(', '));
      assert.ok(names.includes(`${service}-blue-2`), names.join(', '));
      assert.equal((await hostsBehind(balancer.url, 12)).size, 2);
    });

    test(`${name}: next deploy keeps the replica count`, async () => {
      const load = startLoad(balancer.url, {
        rate: 250,
        maxDurationMs: 60_000,
      });
      const run = await deploy({
        image: 'resilience-demo:v2',
        steps: '50,100',
        'step-duration': '1s',
        'analysis-interval': '500ms',
      });
      const report = await load.stop();
      assert.equal(run.exitCode, 0, run.stdout);
      assert.equal(run.outputs['active-color'], 'green');
      assert.deepEqual(report.badStatus, {}, JSON.stringify(report));
      assert.ok(
        report.connectionErrors <= allowedResets(name, 2),
        JSON.stringify(report),
      );
      assert.equal((await hostsBehind(balancer.url, 12)).size, 2);
      const status = await deploy({ mode: 'status' });
      assert.match(
        status.summary,
        /\| green \| resilience-demo:v2 \| 2\/2 running \| 100% \|/,
      );
      assert.match(
        status.summary,
        /\| blue \| resilience-demo:v1 \| 2\/2 running \| 0% \|/,
      );
    });

    test(`${name}: rollback returns to both old replicas`, async () => {
      const run = await deploy({ mode: 'rollback' });
      assert.equal(run.exitCode, 0, run.stdout);
      assert.equal(run.outputs['active-image'], 'resilience-demo:v1');
      assert.equal((await hostsBehind(balancer.url, 12)).size, 2);
    });

    // nginx has no server slots to run out of.
    if (name === 'haproxy') {
      test(`${name}: too few HAProxy slots roll back`, async () => {
        // The test HAProxy declares three slots per color.
        const run = await deploy({
          image: 'resilience-demo:v2',
          replicas: '4',
        });
        assert.notEqual(run.exitCode, 0);
        assert.equal(run.outputs.result, 'rolled-back', run.stdout);
        assert.match(run.stdout, /declares 3 server slot\(s\) for green/);
        assert.equal((await hostsBehind(balancer.url, 8)).size, 2);
        const names = await serviceContainerNames(service);
        assert.ok(
          !names.some((n) => n.endsWith('-set-aside')),
          names.join(', '),
        );
        assert.ok(!names.includes(`${service}-green-4`), names.join(', '));
      });
    }

    test(`${name}: overlapping replica ports are rejected`, async () => {
      const run = await deploy({
        image: 'resilience-demo:v2',
        replicas: '12',
      });
      assert.notEqual(run.exitCode, 0);
      assert.match(run.stdout, /are 10 apart, but 12 replicas per color/);
      assert.equal((await hostsBehind(balancer.url, 4)).size, 2);
      // The rejected deploy touched no container: green still runs for rollback.
      const status = await deploy({ mode: 'status' });
      assert.match(
        status.summary,
        /\| green \| resilience-demo:v2 \| 2\/2 running \| 0% \|/,
      );
    });
  });
}
