import { CanaryAnalysis, formatValue, type Round } from './analysis.js';
import { backendsOf, healthUrls, listColors } from './containers.js';
import { shiftTraffic, type Context } from './context.js';
import { probeAll, sleep } from './health.js';
import { versionOf } from './labels.js';
import { renewLock } from './lock.js';
import type { InProgress } from './record.js';
import {
  otherColor,
  type Backends,
  type Color,
  type Weights,
} from './routers/router.js';

/** Result of a run of canary steps. */
export type StepsResult =
  | { kind: 'promoted' }
  | { kind: 'paused'; weight: number }
  | { kind: 'failed'; reason: string };

/** Weights for a step: the canary gets `percent`, the stable color the rest. */
export function stepWeights(
  canary: Color,
  percent: number,
  stable?: Color,
): Weights {
  if (!stable || percent >= 100) return { [canary]: 100 };
  return { [canary]: percent, [stable]: 100 - percent };
}

/**
 * Runs the steps of `progress` from `progress.stepIndex + 1`: shift the
 * canary's share, verify it on the balancer, then analyse until the step
 * has run its duration and its last round passed. `rounds` collects every
 * analysis round for the summary.
 */
export async function runSteps(
  context: Context,
  progress: InProgress,
  stable: Color | undefined,
  rounds: Round[],
): Promise<StepsResult> {
  const { settings, timeline } = context;
  const canary = progress.color;
  const colors = await listColors(context.docker, settings.service);
  const backends: Backends = backendsOf(settings, colors, [canary, stable]);
  const analysis = settings.analysis.prometheusUrl
    ? new CanaryAnalysis(settings.analysis, {
        service: settings.service,
        canary: { color: canary, version: versionOf(progress.image) },
        baseline: stable ? { color: stable, version: '' } : undefined,
      })
    : undefined;
  const failures = { fail: 0, inconclusive: 0 };

  for (
    let index = progress.stepIndex + 1;
    index < progress.steps.length;
    index += 1
  ) {
    const percent = progress.steps[index];
    const weights = stepWeights(canary, percent, stable);
    await timeline.phase(
      `Step ${index + 1}: ${canary} ${percent}%`,
      () => shiftTraffic(context, weights, backends),
      () => 'weights verified on the balancer',
    );
    await renewLock(context);
    await context.records.update((record) => ({
      ...record,
      inProgress: { ...progress, stepIndex: index, paused: false },
    }));
    await context.deployments.status(
      progress.deploymentId,
      'in_progress',
      `${progress.image} takes ${percent}% as ${canary}`,
    );
    if (percent >= 100 || !stable) return { kind: 'promoted' };

    const ended = await timeline.phase(
      `Analysis at ${percent}%`,
      () => analyseStep(context, canary, analysis, rounds, failures),
      (result) => result ?? 'passed',
    );
    if (ended) {
      // A rollback that took the lock over also removes the canary, which
      // looks like a failure from here; the lock distinguishes the two.
      await renewLock(context);
      return { kind: 'failed', reason: ended };
    }
    if (settings.canary.gateAt === percent) {
      await context.records.update((record) => ({
        ...record,
        inProgress: { ...progress, stepIndex: index, paused: true },
      }));
      await context.deployments.status(
        progress.deploymentId,
        'in_progress',
        `Paused at ${percent}%: waiting for mode promote or rollback`,
      );
      return { kind: 'paused', weight: percent };
    }
  }
  return { kind: 'promoted' };
}

/**
 * Analyses one step. Returns undefined when it passed, or why the deploy
 * must end. Each round measures the window since the step began (at least
 * one interval), so a failure is caught within one analysis interval.
 */
async function analyseStep(
  context: Context,
  canary: Color,
  analysis: CanaryAnalysis | undefined,
  rounds: Round[],
  failures: { fail: number; inconclusive: number },
): Promise<string | undefined> {
  const { canary: plan } = context.settings;
  const started = Date.now();
  const colors = await listColors(context.docker, context.settings.service);
  const urls = healthUrls(
    context.settings,
    canary,
    colors[canary]?.replicas.length ?? 1,
  );
  for (;;) {
    await sleep(
      Math.min(
        plan.intervalMs,
        Math.max(0, plan.stepDurationMs - (Date.now() - started)),
      ) || plan.intervalMs,
    );
    const elapsed = Date.now() - started;
    // A rollback may have taken the lock over and removed the canary.
    await renewLock(context);
    const health = await probeAll(urls, 2000);
    if (health !== 'ok') {
      return `the canary's health probe failed (${health}) during the step`;
    }
    if (!analysis) {
      if (elapsed >= plan.stepDurationMs) return undefined;
      continue;
    }
    const windowSeconds = Math.max(
      Math.ceil(elapsed / 1000),
      Math.ceil(plan.intervalMs / 1000),
    );
    const round = await analysis.round(windowSeconds);
    rounds.push(round);
    context.logger.info(
      `analysis round: ${round.verdict} (${round.measurements.map((m) => `${m.name}=${m.value ?? 'none'} ${m.verdict}`).join('; ')})`,
    );
    const missing =
      analysis.answeredRounds >= 2 ? analysis.neverAnswered() : [];
    if (missing.length > 0) {
      return `misconfigured analysis: ${missing.join(', ')} never returned data in ${analysis.answeredRounds} rounds; check the metric names, labels and selector`;
    }
    if (round.verdict === 'fail') failures.fail += 1;
    if (round.verdict === 'inconclusive') failures.inconclusive += 1;
    if (failures.fail >= plan.failureLimit) {
      return `${failures.fail} analysis round(s) failed (limit ${plan.failureLimit}): ${describeFailures(round)}`;
    }
    if (failures.inconclusive >= plan.inconclusiveLimit) {
      return `${failures.inconclusive} analysis round(s) were inconclusive (limit ${plan.inconclusiveLimit}): ${describeFailures(round)}`;
    }
    if (elapsed >= plan.stepDurationMs && round.verdict === 'pass')
      return undefined;
  }
}

function describeFailures(round: Round): string {
  return round.measurements
    .filter((m) => m.verdict !== 'pass')
    .map(
      (m) =>
        `${m.name} ${m.value === undefined ? 'no data' : formatValue(m.value)} (${m.threshold}; ${m.reason})`,
    )
    .join('; ');
}

export { otherColor };
