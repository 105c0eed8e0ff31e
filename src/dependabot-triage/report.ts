import { Markdown } from '../shared/summary.js';
import type { Decision } from './policy/decide.js';
import type { TrustResult } from './trust.js';
import type { UpdatedDependency } from './types.js';

/** What a triage found and did, rendered for the summary and the comment. */
export interface TriageReport {
  pullNumber: number;
  trust: TrustResult;
  decision?: Decision;
  policySource: string;
  alertsReadable: boolean;
  outcome: string;
  notes: string[];
  apiCalls: number;
}

/** Renders the job summary; the pull request comment uses the same text. */
export function renderReport(report: TriageReport): string {
  const md = new Markdown().heading(
    `Dependabot triage of #${report.pullNumber}`,
  );
  md.paragraph(`**Outcome:** ${report.outcome}`);
  const failed = report.trust.checks.filter((c) => !c.passed);
  if (failed.length > 0) {
    md.paragraph(
      `**Not trusted:** ${failed.map((c) => `${c.name} failed (${c.detail})`).join('; ')}. No approval and no merge.`,
    );
  }
  if (report.decision) {
    const d = report.decision;
    md.paragraph(
      `**Decision:** ${d.action} (update type ${d.updateType}${d.security ? ', security' : ''}; policy: ${report.policySource}). ${d.reasons.join(' ')}`,
    );
    md.table(
      [
        'Dependency',
        'From',
        'To',
        'Update',
        'Type',
        'Ecosystem',
        'Directory',
        'Advisory',
        'Rule',
        'Decision',
      ],
      d.dependencies.map((x) => [
        x.dependency.name,
        x.dependency.previousVersion || '?',
        x.dependency.newVersion || '?',
        `${x.dependency.level}${x.dependency.prerelease ? ' (pre-release)' : ''}`,
        x.dependency.dependencyType,
        x.dependency.ecosystem,
        x.dependency.directory,
        x.advisory
          ? `${x.advisory.ghsaId} ${x.advisory.severity} CVSS ${x.advisory.cvss}`
          : '-',
        x.rule,
        x.action,
      ]),
    );
  }
  if (!report.alertsReadable) {
    md.paragraph(
      '**Security:** the token may not read Dependabot alerts (grant `security-events: read`, or use a token that can), so no update is known to be a security update.',
    );
  }
  md.table(
    ['Trust check', 'Result', 'Detail'],
    report.trust.checks.map((c) => [
      c.name,
      c.passed ? 'passed' : 'failed',
      c.detail,
    ]),
  );
  for (const note of report.notes) md.paragraph(note);
  md.paragraph(`GitHub API calls before this comment: ${report.apiCalls}`);
  return md.toString();
}

/** The `dependency-type` output: the most significant type present. */
export function combinedDependencyType(list: UpdatedDependency[]): string {
  for (const type of ['direct:production', 'direct:development', 'indirect']) {
    if (list.some((d) => d.dependencyType === type)) return type;
  }
  return '';
}
