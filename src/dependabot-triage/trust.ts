/** The login GitHub gives Dependabot's commits and pull requests. */
export const DEPENDABOT_LOGIN = 'dependabot[bot]';

/**
 * Committers of Dependabot's commits: GitHub itself (`web-flow`), which
 * signs them, or Dependabot. A person who sets Dependabot's e-mail as the
 * author and signs with their own key shows up here as the committer.
 */
const DEPENDABOT_COMMITTERS = ['web-flow', DEPENDABOT_LOGIN];

/** The parts of a pull request the trust checks read. */
export interface TrustSubject {
  author: string;
  headRepository: string | undefined;
  baseRepository: string;
  commits: {
    sha: string;
    authorLogin: string | undefined;
    committerLogin: string | undefined;
    verified: boolean;
    reason: string;
  }[];
}

export interface TrustCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/** The outcome of every trust check; the action acts only if all passed. */
export interface TrustResult {
  trusted: boolean;
  checks: TrustCheck[];
}

/**
 * Checks that Dependabot opened the pull request from a branch of the same
 * repository and that Dependabot authored and GitHub signed every commit.
 * `allowUnsigned` drops the signature check for GitHub Enterprise Server
 * instances that do not sign Dependabot's commits.
 */
export function checkTrust(
  subject: TrustSubject,
  allowUnsigned: boolean,
): TrustResult {
  const foreign = subject.commits.filter(
    (c) =>
      c.authorLogin !== DEPENDABOT_LOGIN ||
      !DEPENDABOT_COMMITTERS.includes(c.committerLogin ?? ''),
  );
  const unsigned = subject.commits.filter((c) => !c.verified);
  const checks: TrustCheck[] = [
    {
      name: 'opened by Dependabot',
      passed: subject.author === DEPENDABOT_LOGIN,
      detail: `opened by ${subject.author}`,
    },
    {
      name: 'head in the same repository',
      passed: subject.headRepository === subject.baseRepository,
      detail: `head repository ${subject.headRepository ?? '(deleted fork)'}`,
    },
    {
      name: 'every commit authored by Dependabot',
      passed: subject.commits.length > 0 && foreign.length === 0,
      detail:
        foreign.length === 0
          ? `${subject.commits.length} commit(s) by ${DEPENDABOT_LOGIN}`
          : foreign
              .map(
                (c) =>
                  `${c.sha.slice(0, 7)} by ${c.authorLogin ?? 'unknown'}, committed by ${c.committerLogin ?? 'unknown'}`,
              )
              .join(', '),
    },
    {
      name: 'every commit has a verified signature',
      passed: allowUnsigned || unsigned.length === 0,
      detail: describeSignatures(unsigned, allowUnsigned),
    },
  ];
  return { trusted: checks.every((check) => check.passed), checks };
}

function describeSignatures(
  unsigned: TrustSubject['commits'],
  allowUnsigned: boolean,
): string {
  if (unsigned.length === 0) return 'all verified';
  const list = unsigned
    .map((c) => `${c.sha.slice(0, 7)} (${c.reason})`)
    .join(', ');
  return allowUnsigned ? `allowed unsigned: ${list}` : `unverified: ${list}`;
}
