import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runBundledAction, type ActionRun } from '../helpers/action.js';
import { startCaddy, startNginx, type Balancer } from '../helpers/balancers.js';
import { buildDemoImages, removeServiceContainers } from '../helpers/docker.js';
import { startLoad } from '../helpers/load.js';
import { freePort } from '../helpers/ports.js';
import { allowedResets } from './scenario.js';
import {
  startPrometheus,
  type PrometheusServer,
} from '../helpers/prometheus.js';

/**
 * The canary promotion and the automatic rollback through nginx and Caddy;
 * HAProxy runs the full canary suite in canary.integration.test.ts.
 */
const balancers: Record<
  string,
  (service: string, ports: [number, number]) => Promise<Balancer>
> = {
  nginx: (service) => startNginx(service),
  caddy: startCaddy,
};

for (const [name, start] of Object.entries(balancers)) {
  describe(`canary through ${name}`, () => {
    const service = `bgtest-canary-${name}`;
    let balancer: Balancer;
    let prometheus: PrometheusServer;
    let ports: [number, number];

    const deploy = (run: string, extra: Record<string, string>) =>
      runBundledAction(
        'blue-green-deploy',
        {
          service,
          'blue-port': String(ports[0]),
          'green-port': String(ports[1]),
          'health-interval': '250ms',
          steps: '10,50,100',
          'step-duration': '4s',
          'analysis-interval': '2s',
          'min-requests': '20',
          'max-error-rate': '0.05',
          'prometheus-url': prometheus.url,
          ...balancer.inputs,
          ...extra,
        },
        { env: { GITHUB_RUN_ID: run } },
      );

    const underLoad = async (action: () => Promise<ActionRun>) => {
      const load = startLoad(balancer.url, {
        rate: 250,
        maxDurationMs: 60_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const result = await action();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { result, report: await load.stop() };
    };

    const liveVersion = async () => {
      const response = await fetch(balancer.url, {
        headers: { connection: 'close' },
      });
      return ((await response.json()) as { version: string }).version;
    };

    before(async () => {
      await buildDemoImages();
      await removeServiceContainers(service);
      ports = [await freePort(), await freePort()];
      balancer = await start(service, ports);
      prometheus = await startPrometheus({
        scrapeTargets: ports.map((port) => `127.0.0.1:${port}`),
        waitForTargets: false,
      });
      const first = await deploy('200', {
        image: 'resilience-demo:v1',
        steps: '100',
      });
      assert.equal(first.exitCode, 0, first.stdout);
    });

    after(async () => {
      await balancer?.stop();
      await prometheus?.stop();
      await removeServiceContainers(service);
    });

    test(`${name}: good canary promoted under load`, async () => {
      const { result, report } = await underLoad(() =>
        deploy('201', { image: 'resilience-demo:v2' }),
      );
      assert.equal(result.exitCode, 0, result.stdout);
      assert.equal(result.outputs.result, 'deployed');
      assert.match(result.summary, /Step 2: green 50% \| ok/);
      assert.deepEqual(report.badStatus, {}, JSON.stringify(report));
      assert.equal(report.slow, 0);
      assert.ok(report.rate >= 200, `rate ${report.rate}`);
      if (name === 'caddy') {
        // NOTE: Caddy 2.6.2 resets a few client connections when its config
        // changes; nginx and HAProxy reset none.
        assert.ok(
          report.connectionErrors <= report.sent * 0.01,
          JSON.stringify(report),
        );
      } else {
        // Three steps mean three nginx reloads.
        assert.ok(
          report.connectionErrors <= allowedResets(name, 3),
          JSON.stringify(report),
        );
      }
      assert.equal(await liveVersion(), 'v2');
    });

    test(`${name}: 5xx canary rolled back`, async () => {
      const { result, report } = await underLoad(() =>
        deploy('202', { image: 'resilience-demo:v3-failing' }),
      );
      assert.notEqual(result.exitCode, 0);
      assert.equal(result.outputs.result, 'rolled-back');
      assert.doesNotMatch(result.summary, /Step 2:/);
      assert.ok((report.badStatus['500'] ?? 0) > 0, 'the canary got traffic');
      assert.ok(report.failed < report.sent * 0.1, JSON.stringify(report));
      assert.equal(await liveVersion(), 'v2');
    });
  });
}
