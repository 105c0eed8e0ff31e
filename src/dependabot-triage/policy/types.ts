import type {
  Action,
  DependencyType,
  MergeMethod,
  Severity,
  UpdateLevel,
} from '../types.js';

/** Conditions of a rule; every condition set must hold. */
export interface RuleMatch {
  ecosystem?: string[];
  dependencyName?: string[];
  dependencyType?: DependencyType[];
  updateType?: UpdateLevel[];
  security?: boolean;
  minSeverity?: Severity;
  directory?: string[];
  group?: string[];
  /** Minimum time since the new version was published, in milliseconds. */
  minReleaseAgeMs?: number;
  prerelease?: boolean;
}

export interface Rule {
  name: string;
  match: RuleMatch;
  action: Action;
  mergeMethod?: MergeMethod;
  labels: string[];
}

export interface Policy {
  /** Where the rules came from: the file path or `built-in defaults`. */
  source: string;
  rules: Rule[];
}
