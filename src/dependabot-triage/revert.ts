import { ConfigurationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { MERGED_BY_TRIAGE_LABEL } from './act.js';
import type { TriageApi } from './github-api.js';
import { notifySlack } from './notify.js';
import { DEPENDABOT_LOGIN } from './trust.js';

export interface RevertDeps {
  api: TriageApi;
  label: string;
  slackWebhookUrl?: string;
  logger: Logger;
}

export interface RevertResult {
  outcome: string;
  revertNumber?: number;
}

/** The `workflow_run` event fields the revert reads. */
interface WorkflowRunEvent {
  action?: string;
  workflow_run?: {
    conclusion: string | null;
    head_branch: string | null;
    head_sha: string;
    html_url: string;
    name?: string;
  };
  repository?: { default_branch?: string };
}

/**
 * After a failed run on the default branch, opens one revert pull request
 * for the Dependabot pull request the action merged into that commit. A
 * marker in the revert's body keeps a second run from opening another.
 */
export async function revertFailedMerge(
  event: WorkflowRunEvent,
  deps: RevertDeps,
): Promise<RevertResult> {
  const run = event.workflow_run;
  const defaultBranch = event.repository?.default_branch ?? 'main';
  if (!run) {
    throw new ConfigurationError(
      'Mode "revert" reads a workflow_run event, but this event has no workflow_run. Run it from "on: workflow_run" with "types: [completed]" for the default branch\'s test workflow.',
    );
  }
  if (event.action !== 'completed' || run.conclusion !== 'failure') {
    return { outcome: 'nothing to do: the run did not fail' };
  }
  if (run.head_branch !== defaultBranch) {
    return {
      outcome: `nothing to do: the run was on ${run.head_branch ?? '(none)'}, not ${defaultBranch}`,
    };
  }
  const pulls = await deps.api.pullsOfCommit(run.head_sha);
  const merged = pulls.find(
    (p) =>
      p.author === DEPENDABOT_LOGIN &&
      p.labels.includes(MERGED_BY_TRIAGE_LABEL) &&
      p.mergeSha === run.head_sha,
  );
  if (!merged)
    return {
      outcome: `nothing to do: ${run.head_sha.slice(0, 7)} is not a Dependabot merge by this action`,
    };
  const marker = `<!-- dependabot-triage-revert: #${merged.number} -->`;
  const existing = await deps.api.bodiesWithLabel(deps.label);
  if (existing.some((body) => body.includes(marker))) {
    return { outcome: `a revert of #${merged.number} already exists` };
  }
  const body = `${marker}\nReverts #${merged.number} ("${merged.title}"), merged by dependabot-triage, because [${run.name ?? 'a workflow'}](${run.html_url}) failed on ${defaultBranch} at ${run.head_sha.slice(0, 7)}.`;
  const revert = await deps.api.revertPull(
    merged.nodeId,
    `Revert "${merged.title}"`,
    body,
  );
  await deps.api.addLabels(revert.number, [deps.label, 'dependencies']);
  deps.logger.info(`Opened revert #${revert.number} for #${merged.number}.`);
  await notifySlack(
    deps.slackWebhookUrl,
    `Reverting Dependabot merge #${merged.number} "${merged.title}": ${run.html_url} failed. Revert: ${revert.url}`,
    deps.logger,
  );
  return {
    outcome: `opened revert #${revert.number} of #${merged.number}`,
    revertNumber: revert.number,
  };
}
