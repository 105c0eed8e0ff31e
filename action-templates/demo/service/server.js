// Demo HTTP service for the blue-green-deploy demo and tests. Node.js only,
// no dependencies. Settings come from the environment:
//   PORT                 port to listen on (default 8080)
//   HOST                 address to listen on (default 127.0.0.1; the image sets
//                        0.0.0.0, its own network namespace, published on 127.0.0.1)
//   DEMO_VERSION         version reported in responses and metrics
//   RESILIENCE_COLOR     color reported in responses and metrics (set by blue-green-deploy)
//   DEMO_START_DELAY_MS  time before the port opens, like a real start (default 3000)
//   DEMO_MODE            ok | crash (exits at start) | unhealthy (health 503)
//                        | failing (5xx at DEMO_ERROR_RATE) | slow (DEMO_LATENCY_MS)
//   DEMO_ERROR_RATE      share of requests answered 500 in failing mode (default 1)
//   DEMO_LATENCY_MS      delay added to each request in slow mode (default 500)
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';
const version = process.env.DEMO_VERSION || 'dev';
const color = process.env.RESILIENCE_COLOR || 'none';
const mode = process.env.DEMO_MODE || 'ok';
const startDelayMs = Number(process.env.DEMO_START_DELAY_MS ?? 3000);
const errorRate = Number(process.env.DEMO_ERROR_RATE ?? 1);
const latencyMs = Number(process.env.DEMO_LATENCY_MS ?? 500);

const bucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];
const requestCounts = new Map();
const buckets = bucketBounds.map(() => 0);
let durationCount = 0;
let durationSum = 0;
let stopping = false;

function log(message) {
  process.stdout.write(
    `${new Date().toISOString()} ${version}/${color} ${message}\n`,
  );
}

function record(code, seconds) {
  requestCounts.set(code, (requestCounts.get(code) || 0) + 1);
  bucketBounds.forEach((bound, index) => {
    if (seconds <= bound) buckets[index] += 1;
  });
  durationCount += 1;
  durationSum += seconds;
}

function metricsText() {
  const labels = `version="${version}",color="${color}"`;
  const lines = [
    '# HELP http_requests_total HTTP requests served, by status code.',
    '# TYPE http_requests_total counter',
  ];
  for (const [code, count] of requestCounts) {
    lines.push(`http_requests_total{code="${code}",${labels}} ${count}`);
  }
  lines.push(
    '# HELP http_request_duration_seconds Time to answer HTTP requests.',
    '# TYPE http_request_duration_seconds histogram',
  );
  bucketBounds.forEach((bound, index) => {
    lines.push(
      `http_request_duration_seconds_bucket{le="${bound}",${labels}} ${buckets[index]}`,
    );
  });
  lines.push(
    `http_request_duration_seconds_bucket{le="+Inf",${labels}} ${durationCount}`,
    `http_request_duration_seconds_sum{${labels}} ${durationSum}`,
    `http_request_duration_seconds_count{${labels}} ${durationCount}`,
  );
  return `${lines.join('\n')}\n`;
}

function send(response, code, body, type = 'application/json') {
  response.writeHead(code, {
    'content-type': type,
    'x-version': version,
    'x-color': color,
  });
  response.end(
    type === 'application/json' ? `${JSON.stringify(body)}\n` : body,
  );
}

function handle(request, response) {
  const started = process.hrtime.bigint();
  const path = new URL(request.url, 'http://localhost').pathname;
  if (path === '/metrics') {
    send(response, 200, metricsText(), 'text/plain; version=0.0.4');
    return;
  }
  if (path === '/healthz') {
    const healthy = mode !== 'unhealthy' && !stopping;
    send(response, healthy ? 200 : 503, {
      status: healthy ? 'ok' : 'unhealthy',
      version,
      color,
    });
    return;
  }
  const delay = mode === 'slow' ? latencyMs : 0;
  setTimeout(() => {
    const failed = mode === 'failing' && Math.random() < errorRate;
    const code = failed ? 500 : 200;
    send(response, code, { version, color, host: hostname(), ok: !failed });
    record(String(code), Number(process.hrtime.bigint() - started) / 1e9);
  }, delay);
}

if (mode === 'crash') {
  log('DEMO_MODE=crash: exiting before the server starts');
  process.exit(3);
}

const server = createServer(handle);
server.keepAliveTimeout = 5000;

// A graceful stop: refuse new connections, finish requests in flight, then exit.
process.on('SIGTERM', () => {
  log('SIGTERM: draining');
  stopping = true;
  server.close(() => {
    log('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
});
process.on('SIGINT', () => process.exit(0));

log(`starting in ${startDelayMs} ms (mode ${mode})`);
setTimeout(() => {
  server.listen(port, host, () => log(`listening on ${host}:${port}`));
}, startDelayMs);
