/** Semver level of one update; `unknown` never merges by itself. */
export type UpdateLevel = 'major' | 'minor' | 'patch' | 'unknown';

/** Dependency type as Dependabot writes it in the commit's YAML block. */
export type DependencyType =
  'direct:production' | 'direct:development' | 'indirect' | 'unknown';

/** One dependency that a Dependabot pull request updates. */
export interface UpdatedDependency {
  name: string;
  /** Version, tag, range or short SHA before the update; '' when unknown. */
  previousVersion: string;
  /** Version after the update; '' when unknown. */
  newVersion: string;
  level: UpdateLevel;
  dependencyType: DependencyType;
  /** Package ecosystem as in dependabot.yml (`npm`, `github-actions`, …). */
  ecosystem: string;
  /** Manifest directory, starting with `/`. */
  directory: string;
  /** Dependabot group name; '' outside a group. */
  group: string;
  /** True when the new version is a pre-release. */
  prerelease: boolean;
  /** How the update type was found, for the job summary. */
  levelSource: string;
}

/** An open Dependabot alert that the update fixes. */
export interface Advisory {
  ghsaId: string;
  cvss: number;
  severity: Severity;
  alertNumber: number;
  state: string;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_ORDER: readonly Severity[] = [
  'low',
  'medium',
  'high',
  'critical',
];

/** What a policy rule or the whole pull request calls for. */
export type Action = 'merge' | 'approve' | 'comment' | 'ignore';

export type MergeMethod = 'merge' | 'squash' | 'rebase';
