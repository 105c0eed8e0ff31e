import axios from 'axios';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { GateReport } from './gate.js';
import { formatPercent } from './policy.js';

/** Builds the Slack message for a gate that did not pass. */
export function slackMessage(report: GateReport, runUrl?: string): string {
  const lines = [`*SLO gate: ${report.verdict}*. ${report.message}`];
  for (const slo of report.slos.filter((s) => s.verdict !== 'pass')) {
    lines.push(
      `• ${slo.id}: ${slo.verdict}, budget remaining ` +
        `${formatPercent(slo.budgetRemaining)}. ${slo.reasons.join(' ')}`,
    );
  }
  if (runUrl) lines.push(`<${runUrl}|Workflow run>`);
  return lines.join('\n');
}

/**
 * Posts the message to a Slack incoming webhook. A failed post only warns,
 * because the gate's verdict does not depend on the notification.
 */
export async function notifySlack(
  webhookUrl: string,
  text: string,
  logger: Logger,
): Promise<boolean> {
  try {
    const response = await axios.post(
      webhookUrl,
      { text },
      { timeout: 10_000 },
    );
    logger.info(`Slack notification sent (HTTP ${response.status}).`);
    return true;
  } catch (error) {
    logger.warning(`Slack notification failed: ${errorMessage(error)}`);
    return false;
  }
}

/** Returns the URL of the current workflow run, from the runner's variables. */
export function workflowRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) {
    return undefined;
  }
  return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`;
}
