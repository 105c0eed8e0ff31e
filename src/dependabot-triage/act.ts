import type { Logger } from '../shared/logger.js';
import { waitForChecks } from './checks.js';
import type { PullRequestInfo, TriageApi } from './github-api.js';
import type { Decision } from './policy/decide.js';

/**
 * Label of pull requests the action decided to merge; the revert looks for
 * it on the merged pull request.
 */
export const MERGED_BY_TRIAGE_LABEL = 'auto-merged';

export interface ActOptions {
  /** Client with the merge token: approvals and merges. */
  mergeApi: TriageApi;
  useAutoMerge: boolean;
  checkTimeoutMs: number;
  checkIntervalMs: number;
  ownCheckName: string;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export interface ActResult {
  outcome: string;
  approved: boolean;
  autoMerge: boolean;
  mergedSha?: string;
}

/**
 * Carries out a merge decision. It approves, then enables native auto-merge
 * pinned to the checked head. Where the repository disallows auto-merge or
 * the pull request is already mergeable ("clean status"), it waits for the
 * checks and merges with the checked head SHA instead.
 */
export async function actOnMerge(
  pull: PullRequestInfo,
  decision: Decision,
  options: ActOptions,
): Promise<ActResult> {
  const { mergeApi, logger } = options;
  await mergeApi.approve(
    pull.number,
    pull.headSha,
    'Approved by dependabot-triage: see the triage comment for the rule that matched.',
  );
  if (options.useAutoMerge) {
    const result = await mergeApi.enableAutoMerge(
      pull.nodeId,
      decision.mergeMethod,
      pull.headSha,
    );
    if (result === 'head-moved') {
      return {
        outcome: `approved; auto-merge not enabled because the head moved after ${pull.headSha.slice(0, 7)} was checked`,
        approved: true,
        autoMerge: false,
      };
    }
    if (result === 'enabled') {
      logger.info(
        `Auto-merge enabled (${decision.mergeMethod}) for head ${pull.headSha}.`,
      );
      return {
        outcome: `approved; auto-merge enabled (${decision.mergeMethod}) for ${pull.headSha.slice(0, 7)}`,
        approved: true,
        autoMerge: true,
      };
    }
    logger.info(
      result === 'clean-status'
        ? 'The pull request is already mergeable (clean status): merging directly.'
        : 'The repository does not allow auto-merge: waiting for checks, then merging.',
    );
  }
  const verdict = await waitForChecks(
    async () => ({
      runs: await mergeApi.checkRuns(pull.headSha),
      statuses: await mergeApi.statuses(pull.headSha),
    }),
    options.ownCheckName,
    {
      timeoutMs: options.checkTimeoutMs,
      intervalMs: options.checkIntervalMs,
      logger,
      sleep: options.sleep,
    },
  );
  if (verdict.result !== 'success') {
    return {
      outcome: `approved; not merged: checks ${verdict.detail}`,
      approved: true,
      autoMerge: false,
    };
  }
  const merge = await mergeApi.merge(
    pull.number,
    pull.headSha,
    decision.mergeMethod,
  );
  if (!merge.merged) {
    return {
      outcome: `approved; merge refused by GitHub: ${merge.reason}`,
      approved: true,
      autoMerge: false,
    };
  }
  return {
    outcome: `merged ${pull.headSha.slice(0, 7)} (${decision.mergeMethod}) as ${merge.sha.slice(0, 7)}`,
    approved: true,
    autoMerge: false,
    mergedSha: merge.sha,
  };
}
