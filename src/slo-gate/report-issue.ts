import { createGitHubClient } from '../shared/github.js';
import type { Logger } from '../shared/logger.js';

export interface IssueTarget {
  token: string;
  apiUrl: string;
  graphqlUrl: string;
  /** `owner/repo`, from GITHUB_REPOSITORY. */
  repository: string;
  label: string;
  title: string;
}

/**
 * Opens the report issue, or updates the body of the open issue that has
 * the report label, so one issue carries the latest weekly report.
 * Returns the issue number and whether it was created.
 */
export async function publishReportIssue(
  target: IssueTarget,
  body: string,
  logger: Logger,
): Promise<{ number: number; created: boolean; url: string }> {
  const [owner, repo] = target.repository.split('/');
  const github = createGitHubClient({
    token: target.token,
    apiUrl: target.apiUrl,
    graphqlUrl: target.graphqlUrl,
    logger,
  });
  const { data: open } = await github.rest.issues.listForRepo({
    owner,
    repo,
    labels: target.label,
    state: 'open',
    per_page: 20,
  });
  const existing = open.find((issue) => !issue.pull_request);
  if (existing) {
    const { data } = await github.rest.issues.update({
      owner,
      repo,
      issue_number: existing.number,
      title: target.title,
      body,
    });
    logger.info(`Updated report issue #${data.number}.`);
    return { number: data.number, created: false, url: data.html_url };
  }
  const { data } = await github.rest.issues.create({
    owner,
    repo,
    title: target.title,
    body,
    labels: [target.label],
  });
  logger.info(`Opened report issue #${data.number}.`);
  return { number: data.number, created: true, url: data.html_url };
}
