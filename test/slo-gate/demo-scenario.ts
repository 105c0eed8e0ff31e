// Runs inside a private network namespace (see demo.integration.test.ts)
// because the demo service listens on every interface. It starts the demo
// service in failing mode and Prometheus scraping it, sends 400 requests,
// runs the bundled gate and prints the gate's outputs as one JSON line.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { runBundle } from './bundle.js';

const REQUESTS = 400;
const SLO_FILE = `
apiVersion: slo-gate/v1
service: demo
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      ratio:
        bad: http_requests_total{job="targets",code=~"5.."}
        total: http_requests_total{job="targets"}
  - name: latency
    objective: 95
    window: 30d
    sli:
      latency:
        histogram: http_request_duration_seconds{job="targets"}
        threshold: 0.2
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`demo service at ${url} did not become healthy in 10 s`);
}

async function send(target: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 10) {
    const batch = Array.from({ length: 10 }, () =>
      fetch(`${target}/`).then((response) => response.text()),
    );
    await Promise.all(batch);
  }
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const demo = spawn(
  process.execPath,
  ['action-templates/demo/service/server.js'],
  {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DEMO_START_DELAY_MS: '0',
      DEMO_MODE: 'failing',
      DEMO_ERROR_RATE: '0.2',
      DEMO_VERSION: 'v2',
    },
    stdio: 'ignore',
  },
);
const dir = await mkdtemp(join(tmpdir(), 'slo-demo-'));
const prometheus = await startPrometheus({
  scrapeTargets: [`127.0.0.1:${port}`],
}).catch(async (error) => {
  demo.kill('SIGTERM');
  throw error;
});
try {
  await waitHealthy(url);
  // The demo creates a code's counter on its first request, and increase()
  // cannot count a counter's first value, so warm-up requests create both
  // codes' series and a scrape records them before the measured requests.
  await send(url, 50);
  await sleep(1500);
  await send(url, REQUESTS);
  // Two more scrapes at 1s intervals take in the last requests.
  await sleep(2500);
  const sloFile = join(dir, 'slo.yaml');
  await writeFile(sloFile, SLO_FILE);
  const run = await runBundle({
    'slo-file': sloFile,
    'prometheus-url': prometheus.url,
    'scrape-interval': '1s',
  });
  process.stdout.write(
    `${JSON.stringify({ code: run.code, outputs: run.outputs })}\n`,
  );
} finally {
  demo.kill('SIGTERM');
  await prometheus.stop();
  await rm(dir, { recursive: true, force: true });
}
