import type { Logger } from '../shared/logger.js';

/**
 * Posts a message to a Slack incoming webhook. A failure is a warning:
 * the triage itself has already happened.
 */
export async function notifySlack(
  url: string | undefined,
  text: string,
  logger: Logger,
): Promise<boolean> {
  if (!url) return false;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      logger.warning(`Slack notification failed: HTTP ${response.status}.`);
      return false;
    }
    return true;
  } catch (error) {
    logger.warning(`Slack notification failed: ${(error as Error).message}`);
    return false;
  }
}
