import { Agent, request } from 'node:http';

/** What a steady load saw. */
export interface LoadReport {
  sent: number;
  ok: number;
  /** Responses other than 2xx, by status code. */
  badStatus: Record<string, number>;
  connectionErrors: number;
  /** Responses slower than the slow threshold (2 s). */
  slow: number;
  failed: number;
  durationMs: number;
  /** Achieved request rate over the whole run. */
  rate: number;
  /** Responses per value of the `x-version` header, or `none`. */
  versions: Record<string, number>;
}

const SLOW_MS = 2000;

/**
 * Sends requests to `url` at a fixed rate until `stop()` is called or
 * `maxDurationMs` passes, whichever is first. A failed request is a status
 * other than 2xx, a connection error or a response slower than 2 s.
 */
export function startLoad(
  url: string,
  { rate = 250, maxDurationMs = 120_000 } = {},
): { stop: () => Promise<LoadReport> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const report: LoadReport = {
    sent: 0,
    ok: 0,
    badStatus: {},
    connectionErrors: 0,
    slow: 0,
    failed: 0,
    durationMs: 0,
    rate: 0,
    versions: {},
  };
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  let stopped = false;

  const fire = () => {
    report.sent += 1;
    const begin = performance.now();
    const done = new Promise<void>((resolve) => {
      const req = request(url, { agent, timeout: 10_000 }, (response) => {
        response.resume();
        response.on('end', () => {
          const elapsed = performance.now() - begin;
          const version = String(response.headers['x-version'] ?? 'none');
          report.versions[version] = (report.versions[version] ?? 0) + 1;
          const code = response.statusCode ?? 0;
          if (code < 200 || code > 299) {
            report.badStatus[code] = (report.badStatus[code] ?? 0) + 1;
            report.failed += 1;
          } else if (elapsed > SLOW_MS) {
            report.slow += 1;
            report.failed += 1;
          } else {
            report.ok += 1;
          }
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        report.connectionErrors += 1;
        report.failed += 1;
        resolve();
      });
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  // Fire in small batches every 20 ms so the rate holds despite timer jitter.
  const timer = setInterval(() => {
    if (stopped) return;
    const elapsed = performance.now() - started;
    if (elapsed > maxDurationMs) return;
    const due = Math.floor((elapsed / 1000) * rate) - report.sent;
    for (let i = 0; i < due; i += 1) fire();
  }, 20);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      report.durationMs = performance.now() - started;
      report.rate = report.sent / (report.durationMs / 1000);
      return report;
    },
  };
}
