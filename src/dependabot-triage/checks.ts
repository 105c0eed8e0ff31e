import type { Logger } from '../shared/logger.js';

export interface CheckState {
  runs: { name: string; status: string; conclusion: string | null }[];
  statuses: { context: string; state: string }[];
}

export interface CheckVerdict {
  result: 'success' | 'pending' | 'failure';
  detail: string;
}

const PASSING = ['success', 'neutral', 'skipped'];

/**
 * Judges the checks on a head commit, leaving out this job's own check
 * run. No checks at all is pending, never success: checks that have not
 * started yet look the same as checks that do not exist.
 */
export function judgeChecks(state: CheckState, ownName: string): CheckVerdict {
  // Called through a reusable workflow, the job's check run is named
  // "<caller job> / <job>".
  const runs = state.runs.filter(
    (r) => r.name !== ownName && !r.name.endsWith(` / ${ownName}`),
  );
  const failed = [
    ...runs
      .filter(
        (r) =>
          r.status === 'completed' && !PASSING.includes(r.conclusion ?? ''),
      )
      .map((r) => `${r.name} (${r.conclusion})`),
    ...state.statuses
      .filter((s) => s.state === 'failure' || s.state === 'error')
      .map((s) => `${s.context} (${s.state})`),
  ];
  if (failed.length > 0)
    return { result: 'failure', detail: `failed: ${failed.join(', ')}` };
  const total = runs.length + state.statuses.length;
  if (total === 0)
    return { result: 'pending', detail: 'no checks have been reported yet' };
  const waiting = [
    ...runs.filter((r) => r.status !== 'completed').map((r) => r.name),
    ...state.statuses
      .filter((s) => s.state === 'pending')
      .map((s) => s.context),
  ];
  if (waiting.length > 0)
    return { result: 'pending', detail: `waiting for: ${waiting.join(', ')}` };
  return { result: 'success', detail: `${total} check(s) passed` };
}

/** Polls the checks until they pass, fail or `timeoutMs` runs out. */
export async function waitForChecks(
  read: () => Promise<CheckState>,
  ownName: string,
  options: {
    timeoutMs: number;
    intervalMs: number;
    logger: Logger;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<CheckVerdict> {
  const sleep =
    options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const verdict = judgeChecks(await read(), ownName);
    options.logger.info(`Checks: ${verdict.result}, ${verdict.detail}`);
    if (verdict.result !== 'pending') return verdict;
    if (Date.now() + options.intervalMs > deadline) {
      return {
        result: 'failure',
        detail: `timed out after ${Math.round(options.timeoutMs / 1000)} s; ${verdict.detail}`,
      };
    }
    await sleep(options.intervalMs);
  }
}
