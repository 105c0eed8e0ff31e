import type { Logger } from '../shared/logger.js';
import { actOnMerge, MERGED_BY_TRIAGE_LABEL, type ActResult } from './act.js';
import { gather, type Gathered } from './gather.js';
import type { TriageApi } from './github-api.js';
import { notifySlack } from './notify.js';
import { decide, type Decision } from './policy/decide.js';
import { combinedDependencyType, renderReport } from './report.js';
import type { Settings } from './inputs.js';

export type OutputSink = (
  name: string,
  value: string | number | boolean,
) => void;

export interface TriageDeps {
  api: TriageApi;
  mergeApi: TriageApi;
  settings: Settings;
  logger: Logger;
  setOutput: OutputSink;
  sleep?: (ms: number) => Promise<void>;
}

/** Triage of one pull request: read, check trust, decide, act, explain. */
export async function triage(
  number: number,
  deps: TriageDeps,
): Promise<string> {
  const { api, settings, logger } = deps;
  const defaultBranch = String(
    (deps.settings.event.repository as { default_branch?: string } | undefined)
      ?.default_branch ?? 'main',
  );
  const gathered = await logger.group('Read the pull request', () =>
    gather(api, number, {
      policyPath: settings.policyPath,
      allowUnsigned: settings.allowUnsignedCommits,
      defaultBranch,
      logger,
    }),
  );
  const notes: string[] = [];
  let decision: Decision | undefined;
  let result: ActResult | undefined;
  let outcome: string;
  if (!gathered.trust.trusted) {
    outcome = await rejectUntrusted(gathered, deps);
  } else {
    decision = decide(gathered.policy, gathered.facts, settings.mergeMethod);
    logger.info(`Decision: ${decision.action}. ${decision.reasons.join(' ')}`);
    result = await logger.group('Act on the decision', () =>
      act(gathered, decision as Decision, deps, notes),
    );
    outcome = result.outcome;
  }
  const summary = renderReport({
    pullNumber: number,
    trust: gathered.trust,
    decision,
    policySource: gathered.policy.source,
    alertsReadable: gathered.alertsReadable,
    outcome,
    notes,
    apiCalls:
      api.client.calls +
      (deps.mergeApi === api ? 0 : deps.mergeApi.client.calls),
  });
  await api.upsertComment(number, summary);
  writeOutputs(gathered, decision, result, deps);
  return summary;
}

/**
 * Handles an untrusted pull request: no approval and no merge, and an
 * auto-merge that an earlier run enabled is disabled.
 */
async function rejectUntrusted(
  gathered: Gathered,
  deps: TriageDeps,
): Promise<string> {
  const failed = gathered.trust.checks
    .filter((c) => !c.passed)
    .map((c) => c.name);
  deps.logger.warning(
    `Not acting on #${gathered.pull.number}: ${failed.join(', ')} failed.`,
  );
  if (gathered.pull.autoMergeEnabled) {
    await deps.mergeApi.disableAutoMerge(gathered.pull.nodeId);
    return `auto-merge disabled because ${failed.join(', ')} failed`;
  }
  return `no action because ${failed.join(', ')} failed`;
}

async function act(
  gathered: Gathered,
  decision: Decision,
  deps: TriageDeps,
  notes: string[],
): Promise<ActResult> {
  const { api, settings, logger } = deps;
  const { pull } = gathered;
  const labels: string[] = [];
  if (settings.addLabels) {
    labels.push(
      'dependencies',
      decision.updateType === 'unknown'
        ? 'update:unknown'
        : `semver:${decision.updateType}`,
      ...decision.labels,
    );
    if (decision.security) labels.push('security');
  }
  // The revert mode finds the merges it may revert by this label, so it is
  // added even when add-labels is false.
  if (decision.action === 'merge') labels.push(MERGED_BY_TRIAGE_LABEL);
  if (labels.length > 0) await api.addLabels(pull.number, labels);
  if (decision.action !== 'merge' && pull.autoMergeEnabled) {
    await deps.mergeApi.disableAutoMerge(pull.nodeId);
    notes.push(
      'Auto-merge was on and has been disabled, because the decision is no longer merge.',
    );
  }
  switch (decision.action) {
    case 'merge': {
      if (settings.mergeWithDefaultToken) {
        const warning =
          'Merging with the default GITHUB_TOKEN: GitHub starts no workflows for that merge, so post-merge tests on the default branch will not run. Pass a GitHub App token as merge-token.';
        logger.warning(warning);
        notes.push(warning);
      }
      return actOnMerge(pull, decision, {
        mergeApi: deps.mergeApi,
        useAutoMerge: settings.useAutoMerge,
        checkTimeoutMs: settings.checkTimeoutMs,
        checkIntervalMs: settings.checkIntervalMs,
        ownCheckName: settings.ownCheckName,
        logger,
        sleep: deps.sleep,
      });
    }
    case 'approve':
      await deps.mergeApi.approve(
        pull.number,
        pull.headSha,
        'Approved by dependabot-triage; a person merges.',
      );
      return {
        outcome: 'approved; waiting for a person to merge',
        approved: true,
        autoMerge: false,
      };
    case 'comment': {
      const sent = await notifySlack(
        settings.slackWebhookUrl,
        `Dependabot pull request #${pull.number} "${pull.title}" waits for a person: ${decision.reasons.join(' ')} ${settings.runUrl}`,
        logger,
      );
      return {
        outcome: `waiting for a person${sent ? '; Slack notified' : ''}`,
        approved: false,
        autoMerge: false,
      };
    }
    case 'ignore':
      return {
        outcome: 'ignored by policy',
        approved: false,
        autoMerge: false,
      };
  }
}

/** Sets the outputs, under fetch-metadata's names where they exist. */
function writeOutputs(
  gathered: Gathered,
  decision: Decision | undefined,
  result: ActResult | undefined,
  deps: TriageDeps,
): void {
  const list = gathered.metadata.dependencies;
  const firstFacts =
    gathered.facts.find((f) => f.advisory) ?? gathered.facts[0];
  const out = deps.setOutput;
  out('dependency-names', list.map((d) => d.name).join(', '));
  out('dependency-type', combinedDependencyType(list));
  const level = decision?.updateType ?? 'unknown';
  out(
    'update-type',
    level === 'unknown' ? '' : `version-update:semver-${level}`,
  );
  out('directory', list[0]?.directory ?? '');
  out('package-ecosystem', list[0]?.ecosystem ?? '');
  out('target-branch', gathered.metadata.targetBranch);
  out('previous-version', list[0]?.previousVersion ?? '');
  out('new-version', list[0]?.newVersion ?? '');
  out(
    'alert-state',
    firstFacts?.advisory ? firstFacts.advisory.state.toUpperCase() : '',
  );
  out('ghsa-id', firstFacts?.advisory?.ghsaId ?? '');
  out('cvss', firstFacts?.advisory?.cvss ?? 0);
  out(
    'updated-dependencies-json',
    JSON.stringify(
      list.map((d) => ({
        dependencyName: d.name,
        dependencyType: d.dependencyType,
        updateType:
          d.level === 'unknown' ? '' : `version-update:semver-${d.level}`,
        directory: d.directory,
        packageEcosystem: d.ecosystem,
        targetBranch: gathered.metadata.targetBranch,
        prevVersion: d.previousVersion,
        newVersion: d.newVersion,
      })),
    ),
  );
  out(
    'dependencies-json',
    JSON.stringify(
      decision?.dependencies.map((d) => ({
        ...d.dependency,
        advisory: d.advisory ?? null,
        releaseAgeMs: d.releaseAgeMs ?? null,
        rule: d.rule,
        action: d.action,
      })) ?? list,
    ),
  );
  out(
    'decision',
    gathered.trust.trusted ? (decision?.action ?? 'comment') : 'untrusted',
  );
  out('trusted', gathered.trust.trusted);
  out('merged-sha', result?.mergedSha ?? '');
  out('auto-merge', result?.autoMerge ?? false);
}
