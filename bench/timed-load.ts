import { Agent, request } from 'node:http';

/** Result of one request, by the benchmark's definition of failure. */
export type Outcome = 'ok' | 'status' | 'connection' | 'slow';

/** One request of a timed load, with times from performance.now(). */
export interface Sample {
  sentMs: number;
  doneMs: number;
  outcome: Outcome;
  /** HTTP status, or 0 for a connection error. */
  status: number;
  /** The `x-version` response header, or `none`. */
  version: string;
  /** Error code of a connection error, such as ECONNRESET. */
  errorCode?: string;
}

export interface TimedLoad {
  samples: Sample[];
  startedMs: number;
  durationMs: number;
  /** Achieved request rate over the whole run, requests per second. */
  rate: number;
}

/** Responses slower than this count as failed. */
export const SLOW_MS = 2000;

/**
 * Sends requests to `url` at a fixed rate, as test/helpers/load.ts does, but
 * keeps every request's send time, outcome and version, so a benchmark can
 * tell when each version last and first responded. Stops at `stop()` or
 * after `maxDurationMs`, whichever comes first.
 */
export function startTimedLoad(
  url: string,
  { rate = 250, maxDurationMs = 60_000 } = {},
): { stop: () => Promise<TimedLoad> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  const startedMs = performance.now();
  let sent = 0;

  const fire = () => {
    sent += 1;
    const sentMs = performance.now();
    const finish = (
      outcome: Outcome,
      status: number,
      version = 'none',
      errorCode?: string,
    ) =>
      samples.push({
        sentMs,
        doneMs: performance.now(),
        outcome,
        status,
        version,
        errorCode,
      });
    const done = new Promise<void>((resolve) => {
      const req = request(url, { agent, timeout: 10_000 }, (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const version = String(response.headers['x-version'] ?? 'none');
          let outcome: Outcome = 'ok';
          if (status < 200 || status > 299) outcome = 'status';
          else if (performance.now() - sentMs > SLOW_MS) outcome = 'slow';
          finish(outcome, status, version);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        finish('connection', 0, 'none', error.code ?? error.message);
        resolve();
      });
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  // Batches every 20 ms keep the rate steady despite timer jitter.
  const timer = setInterval(() => {
    const elapsed = performance.now() - startedMs;
    if (elapsed > maxDurationMs) return;
    const due = Math.floor((elapsed / 1000) * rate) - sent;
    for (let i = 0; i < due; i += 1) fire();
  }, 20);

  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      const durationMs = performance.now() - startedMs;
      samples.sort((a, b) => a.sentMs - b.sentMs);
      return {
        samples,
        startedMs,
        durationMs,
        rate: sent / (durationMs / 1000),
      };
    },
  };
}
