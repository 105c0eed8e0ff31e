// The data the fake GitHub holds. Tests seed it, the action changes it
// through the API, and tests assert on it afterwards.
import { createHash } from 'node:crypto';

export const DEPENDABOT = 'dependabot[bot]';
export const DEPENDABOT_EMAIL =
  '49699333+dependabot[bot]@users.noreply.github.com';

export interface FakeCommit {
  sha: string;
  message: string;
  /** GitHub login of the author; null for an email with no account. */
  authorLogin: string | null;
  authorEmail: string;
  /** GitHub login of the committer; `web-flow` is GitHub itself. */
  committerLogin?: string;
  verified: boolean;
  /** Signature verification reason (`valid`, `unsigned`, …). */
  reason: string;
}

export interface FakeAutoMerge {
  mergeMethod: 'MERGE' | 'SQUASH' | 'REBASE';
  enabledBy: string;
  expectedHeadOid?: string;
  enabledAt: string;
}

export interface FakeReview {
  id: number;
  user: string;
  state: 'APPROVED' | 'COMMENTED' | 'CHANGES_REQUESTED';
  commitId: string;
  body: string;
}

export interface FakePull {
  number: number;
  nodeId: string;
  title: string;
  body: string;
  author: string;
  headRef: string;
  /** Full name of the head repository; null when a fork was deleted. */
  headRepository: string | null;
  baseRef: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  mergeMethod?: string;
  commits: FakeCommit[];
  labels: string[];
  autoMerge: FakeAutoMerge | null;
  reviews: FakeReview[];
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
}

export interface FakeCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
}

export interface FakeStatus {
  sha: string;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
}

/** A Dependabot alert in the shape of the REST alerts API. */
export interface FakeAlert {
  number: number;
  state: 'open' | 'fixed' | 'dismissed' | 'auto_dismissed';
  ecosystem: string;
  packageName: string;
  manifestPath: string;
  ghsaId: string;
  cveId?: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  cvss: number;
  vulnerableRange: string;
  firstPatched: string | null;
}

/** A commit on the default branch, with the pull request it came from. */
export interface FakeBranchCommit {
  sha: string;
  pullNumber?: number;
}

export class FakeState {
  owner = 'example-org';
  repo = 'service';
  defaultBranch = 'main';
  /** Login of the token the action uses. */
  tokenLogin = 'github-actions[bot]';
  /** False makes GraphQL auto-merge fail as when the repository disallows it. */
  allowAutoMerge = true;
  /** False makes the alerts API answer 403, as without the permission. */
  alertsReadable = true;
  /** Check names that must pass before a merge. */
  requiredChecks: string[] = [];
  /** The next N requests answer a secondary rate limit. */
  rateLimitNext = 0;
  retryAfterSeconds = 1;

  pulls = new Map<number, FakePull>();
  comments: FakeComment[] = [];
  checkRuns: FakeCheckRun[] = [];
  statuses: FakeStatus[] = [];
  alerts: FakeAlert[] = [];
  /** Files on the default branch, by path, for the contents API. */
  files = new Map<string, string>();
  branchCommits: FakeBranchCommit[] = [];

  private nextId = 1000;
  private nextNumber = 1;

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  /** Adds an open pull request; its number is returned. */
  addPull(fields: Partial<FakePull> & { commits: FakeCommit[] }): FakePull {
    const number = fields.number ?? this.nextNumber;
    this.nextNumber = Math.max(this.nextNumber, number) + 1;
    const pull: FakePull = {
      number,
      nodeId: `PR_kwDOfake${number}`,
      title: 'Bump something',
      body: '',
      author: DEPENDABOT,
      headRef: `dependabot/npm_and_yarn/pkg-${number}`,
      headRepository: this.fullName,
      baseRef: this.defaultBranch,
      state: 'open',
      merged: false,
      mergeCommitSha: null,
      labels: [],
      autoMerge: null,
      reviews: [],
      ...fields,
    };
    this.pulls.set(number, pull);
    return pull;
  }

  pull(number: number): FakePull | undefined {
    return this.pulls.get(number);
  }

  findPullByNodeId(nodeId: string): FakePull | undefined {
    return [...this.pulls.values()].find((p) => p.nodeId === nodeId);
  }

  headSha(pull: FakePull): string {
    return pull.commits.at(-1)?.sha ?? '0'.repeat(40);
  }

  /** Pushes a commit onto a pull request's branch. */
  push(number: number, commit: FakeCommit): void {
    this.pull(number)?.commits.push(commit);
  }

  /** True when every required check passed on the head commit. */
  requiredChecksPass(pull: FakePull): boolean {
    const sha = this.headSha(pull);
    return this.requiredChecks.every(
      (name) =>
        this.checkRuns.some(
          (r) =>
            r.headSha === sha && r.name === name && r.conclusion === 'success',
        ) ||
        this.statuses.some(
          (s) => s.sha === sha && s.context === name && s.state === 'success',
        ),
    );
  }

  /** Merges a pull request the way GitHub does, returning the merge SHA. */
  merge(pull: FakePull, method: string): string {
    const sha = fakeSha(`merge:${pull.number}:${this.headSha(pull)}`);
    pull.state = 'closed';
    pull.merged = true;
    pull.mergeCommitSha = sha;
    pull.mergeMethod = method;
    pull.autoMerge = null;
    this.branchCommits.push({ sha, pullNumber: pull.number });
    return sha;
  }

  /** Merges every pull request whose auto-merge can now go ahead. */
  settleAutoMerges(): void {
    for (const pull of this.pulls.values()) {
      if (pull.state !== 'open' || !pull.autoMerge) continue;
      if (!this.requiredChecksPass(pull)) continue;
      this.merge(pull, pull.autoMerge.mergeMethod.toLowerCase());
    }
  }
}

/** A deterministic 40-hex SHA for `seed`. */
export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** A commit by Dependabot, signed and verified, unless fields say otherwise. */
export function dependabotCommit(
  message: string,
  fields: Partial<FakeCommit> = {},
): FakeCommit {
  return {
    sha: fakeSha(`${message}:${Math.random()}`),
    message,
    authorLogin: DEPENDABOT,
    authorEmail: DEPENDABOT_EMAIL,
    verified: true,
    reason: 'valid',
    ...fields,
  };
}
