import type Docker from 'dockerode';
import { formatDuration } from '../shared/duration.js';
import type { Logger } from '../shared/logger.js';
import { lastLogLines } from './docker.js';

export interface ProbeSettings {
  url: string;
  timeoutMs: number;
  intervalMs: number;
  successes: number;
}

export interface ProbeResult {
  healthy: boolean;
  probes: number;
  elapsedMs: number;
  /** Reason the color is not healthy, with the container's last log lines. */
  reason?: string;
}

/**
 * Probes `url` until it returns 2xx `successes` times in a row, or until
 * `timeoutMs` passes. Between probes it checks that the container still
 * runs, so a container that exits fails at once instead of at the timeout.
 */
export async function waitHealthy(
  docker: Docker,
  container: Docker.Container,
  probe: ProbeSettings,
  logger: Logger,
): Promise<ProbeResult> {
  const started = Date.now();
  let streak = 0;
  let probes = 0;
  let lastFailure = 'no probe ran';
  while (Date.now() - started < probe.timeoutMs) {
    const info = await container.inspect();
    const state = info.State;
    // With a restart policy, a crashing container is briefly "running"
    // between restarts; a restart during the probe counts as an exit.
    if (!state.Running || state.Restarting || info.RestartCount > 0) {
      const exitCode = state.Running
        ? await lastExitCode(docker, info.Id, started)
        : state.ExitCode;
      const restarts =
        info.RestartCount > 0
          ? `; its restart policy restarted it ${info.RestartCount} time(s)`
          : '';
      return {
        healthy: false,
        probes,
        elapsedMs: Date.now() - started,
        reason: `the container exited with code ${exitCode ?? 'unknown'}${state.Error ? ` (${state.Error})` : ''}${restarts}.\nLast log lines:\n${await lastLogLines(container)}`,
      };
    }
    probes += 1;
    const outcome = await probeOnce(
      probe.url,
      Math.min(probe.intervalMs * 2, 5000),
    );
    if (outcome === 'ok') {
      streak += 1;
      logger.debug(`probe ${probes}: ok (${streak}/${probe.successes})`);
      if (streak >= probe.successes) {
        return { healthy: true, probes, elapsedMs: Date.now() - started };
      }
    } else {
      if (streak > 0) logger.info(`probe ${probes}: ${outcome}; streak reset`);
      streak = 0;
      lastFailure = outcome;
    }
    await sleep(probe.intervalMs);
  }
  const logs = await lastLogLines(container);
  return {
    healthy: false,
    probes,
    elapsedMs: Date.now() - started,
    reason: `${probe.url} did not pass ${probe.successes} probes in a row within ${formatDuration(probe.timeoutMs)}; last failure: ${lastFailure}.\nLast log lines:\n${logs}`,
  };
}

/** Reads the exit code of the container's latest `die` event since `sinceMs`. */
async function lastExitCode(
  docker: Docker,
  id: string,
  sinceMs: number,
): Promise<string | undefined> {
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000) - 1,
    until: Math.ceil(Date.now() / 1000),
    filters: { container: [id], event: ['die'] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  const events = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(
      (line) =>
        JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } },
    );
  return events.at(-1)?.Actor?.Attributes?.exitCode;
}

/** Probes every URL once; returns 'ok', or the first failure with its URL. */
export async function probeAll(
  urls: string[],
  timeoutMs: number,
): Promise<string> {
  const outcomes = await Promise.all(
    urls.map((url) => probeOnce(url, timeoutMs)),
  );
  const failed = outcomes.findIndex((outcome) => outcome !== 'ok');
  return failed < 0 ? 'ok' : `${urls[failed]}: ${outcomes[failed]}`;
}

/** Returns 'ok' for a 2xx response, or a short description of the failure. */
export async function probeOnce(
  url: string,
  timeoutMs: number,
): Promise<string> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { connection: 'close' },
    });
    await response.arrayBuffer();
    return response.ok ? 'ok' : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error as Error).name ?? 'request failed';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
