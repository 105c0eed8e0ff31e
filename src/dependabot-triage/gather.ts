import type { Logger } from '../shared/logger.js';
import type { PullRequestInfo, TriageApi } from './github-api.js';
import { readMetadata, type UpdateMetadata } from './metadata/index.js';
import { DEFAULT_POLICY } from './policy/defaults.js';
import type { DependencyFacts } from './policy/decide.js';
import { parsePolicy } from './policy/load.js';
import type { Policy } from './policy/types.js';
import { releaseAgeMs } from './release-age.js';
import { findAdvisory } from './security.js';
import { checkTrust, type TrustResult } from './trust.js';

/** Everything read from GitHub before deciding. */
export interface Gathered {
  pull: PullRequestInfo;
  trust: TrustResult;
  metadata: UpdateMetadata;
  facts: DependencyFacts[];
  policy: Policy;
  alertsReadable: boolean;
}

/** Reads the pull request, its commits, the policy and the alerts. */
export async function gather(
  api: TriageApi,
  number: number,
  options: {
    policyPath: string;
    allowUnsigned: boolean;
    defaultBranch: string;
    logger: Logger;
  },
): Promise<Gathered> {
  const { logger } = options;
  const pull = await api.getPull(number);
  const commits = await api.listCommits(number);
  const trust = checkTrust(
    {
      author: pull.author,
      headRepository: pull.headRepository,
      baseRepository: api.repoFullName,
      commits: commits.trust,
    },
    options.allowUnsigned,
  );
  const metadata = readMetadata({
    title: pull.title,
    body: pull.body,
    commitMessage: commits.messages[0] ?? '',
    branch: pull.headRef,
    baseRef: pull.baseRef,
    defaultBranch: options.defaultBranch,
  });
  logger.info(
    `Read ${metadata.dependencies.length} dependency update(s) from #${number}.`,
  );
  if (!trust.trusted) {
    return {
      pull,
      trust,
      metadata,
      facts: [],
      policy: DEFAULT_POLICY,
      alertsReadable: true,
    };
  }
  // The policy comes from the base branch, so a pull request cannot change it.
  const policyText = await api.readFile(options.policyPath, pull.baseRef);
  const policy =
    policyText === undefined
      ? DEFAULT_POLICY
      : parsePolicy(policyText, options.policyPath);
  const alerts = await api.listOpenAlerts();
  if (alerts === undefined) {
    logger.warning(
      'The token may not read Dependabot alerts, so no update is known to be a security update.',
    );
  }
  const needsAge = policy.rules.some(
    (r) => r.match.minReleaseAgeMs !== undefined,
  );
  const facts: DependencyFacts[] = [];
  for (const dependency of metadata.dependencies) {
    facts.push({
      dependency,
      advisory: alerts ? findAdvisory(dependency, alerts) : undefined,
      releaseAgeMs: needsAge
        ? await releaseAgeMs(dependency, logger)
        : undefined,
    });
  }
  return {
    pull,
    trust,
    metadata,
    facts,
    policy,
    alertsReadable: alerts !== undefined,
  };
}
