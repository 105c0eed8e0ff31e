import { maxLevel } from '../metadata/versions.js';
import {
  SEVERITY_ORDER,
  type Action,
  type Advisory,
  type MergeMethod,
  type UpdateLevel,
  type UpdatedDependency,
} from '../types.js';
import type { Policy, Rule, RuleMatch } from './types.js';

/** A dependency with what the repository's alerts and registry add. */
export interface DependencyFacts {
  dependency: UpdatedDependency;
  /** Open alert that the new version fixes; undefined when none. */
  advisory?: Advisory;
  /** Time since the new version was published; undefined when unknown. */
  releaseAgeMs?: number;
}

export interface DependencyDecision extends DependencyFacts {
  rule: string;
  action: Action;
  mergeMethod?: MergeMethod;
  labels: string[];
}

/** The decision for the whole pull request. */
export interface Decision {
  action: Action;
  mergeMethod: MergeMethod;
  labels: string[];
  /** Highest update level among the dependencies. */
  updateType: UpdateLevel;
  security: boolean;
  reasons: string[];
  dependencies: DependencyDecision[];
}

/** From least to most cautious; a pull request takes the most cautious. */
const CAUTION: readonly Action[] = ['merge', 'approve', 'ignore', 'comment'];

/**
 * Applies the first matching rule to each dependency, then takes the most
 * cautious action among them. An unknown update type, or no dependency
 * found at all, never merges by itself.
 */
export function decide(
  policy: Policy,
  facts: DependencyFacts[],
  defaultMergeMethod: MergeMethod,
): Decision {
  const dependencies = facts.map((f) => decideOne(policy.rules, f));
  const updateType = facts
    .map((f) => f.dependency.level)
    .reduce<UpdateLevel>(maxLevel, facts.length ? 'patch' : 'unknown');
  const reasons: string[] = [];
  let action = dependencies
    .map((d) => d.action)
    .reduce<Action>(
      (a, b) => (CAUTION.indexOf(b) > CAUTION.indexOf(a) ? b : a),
      'merge',
    );
  if (facts.length === 0) {
    action = 'comment';
    reasons.push('No updated dependency could be read from the pull request.');
  } else if (
    updateType === 'unknown' &&
    (action === 'merge' || action === 'approve')
  ) {
    action = 'comment';
    reasons.push(
      'The update type of at least one dependency is unknown, and unknown never merges by itself.',
    );
  }
  const deciding = dependencies.find((d) => d.action === action);
  if (deciding && reasons.length === 0) {
    reasons.push(
      `${deciding.dependency.name}: rule "${deciding.rule}" says ${action}.`,
    );
  }
  return {
    action,
    mergeMethod: firstMergeMethod(dependencies) ?? defaultMergeMethod,
    labels: [...new Set(dependencies.flatMap((d) => d.labels))],
    updateType,
    security: facts.some((f) => f.advisory !== undefined),
    reasons,
    dependencies,
  };
}

function firstMergeMethod(list: DependencyDecision[]): MergeMethod | undefined {
  return list.find((d) => d.mergeMethod)?.mergeMethod;
}

function decideOne(rules: Rule[], facts: DependencyFacts): DependencyDecision {
  const rule = rules.find((r) => matches(r.match, facts));
  if (!rule) {
    return { ...facts, rule: 'no rule matched', action: 'comment', labels: [] };
  }
  return {
    ...facts,
    rule: rule.name,
    action: rule.action,
    mergeMethod: rule.mergeMethod,
    labels: rule.labels,
  };
}

/** Returns true when every condition the rule sets holds for `facts`. */
export function matches(match: RuleMatch, facts: DependencyFacts): boolean {
  const d = facts.dependency;
  const checks: (boolean | undefined)[] = [
    match.ecosystem && match.ecosystem.includes(d.ecosystem),
    match.dependencyName &&
      match.dependencyName.some((g) => globMatch(g, d.name)),
    match.dependencyType && match.dependencyType.includes(d.dependencyType),
    match.updateType && match.updateType.includes(d.level),
    match.security !== undefined &&
      match.security === (facts.advisory !== undefined),
    match.minSeverity && severityAtLeast(facts.advisory, match.minSeverity),
    match.directory && match.directory.some((g) => globMatch(g, d.directory)),
    match.group && match.group.some((g) => globMatch(g, d.group)),
    match.minReleaseAgeMs !== undefined &&
      facts.releaseAgeMs !== undefined &&
      facts.releaseAgeMs >= match.minReleaseAgeMs,
    match.prerelease !== undefined && match.prerelease === d.prerelease,
  ];
  const set: (unknown | undefined)[] = [
    match.ecosystem,
    match.dependencyName,
    match.dependencyType,
    match.updateType,
    match.security,
    match.minSeverity,
    match.directory,
    match.group,
    match.minReleaseAgeMs,
    match.prerelease,
  ];
  return set.every(
    (condition, i) => condition === undefined || checks[i] === true,
  );
}

function severityAtLeast(advisory: Advisory | undefined, min: string): boolean {
  if (!advisory) return false;
  return (
    SEVERITY_ORDER.indexOf(advisory.severity) >=
    SEVERITY_ORDER.indexOf(min as Advisory['severity'])
  );
}

/** Matches `*` within a path segment, `**` across segments, `?` one character. */
export function globMatch(glob: string, value: string): boolean {
  const pattern = glob
    .split(/(\*\*|\*|\?)/)
    .map((part) => {
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (part === '?') return '.';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`).test(value);
}
