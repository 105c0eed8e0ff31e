import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { ConfigurationError } from '../shared/errors.js';
import { createGitHubClient } from '../shared/github.js';
import { actionsLogger } from '../shared/logger.js';
import { setOutput } from '../shared/run.js';
import { TriageApi } from './github-api.js';
import { readSettings } from './inputs.js';
import { revertFailedMerge } from './revert.js';
import { triage } from './triage.js';

/** Runs the triage on a pull request event, or the revert on `workflow_run`. */
export async function run(): Promise<void> {
  const event = readEvent();
  const settings = readSettings(event);
  const logger = actionsLogger;
  const clientFor = (token: string) =>
    createGitHubClient({
      token,
      apiUrl: settings.apiUrl,
      graphqlUrl: settings.graphqlUrl,
      logger,
    });
  const api = new TriageApi(
    clientFor(settings.token),
    settings.owner,
    settings.repo,
  );
  const mergeApi = settings.mergeWithDefaultToken
    ? api
    : new TriageApi(
        clientFor(settings.mergeToken),
        settings.owner,
        settings.repo,
      );

  if (settings.mode === 'revert') {
    const result = await revertFailedMerge(event, {
      api,
      label: settings.revertLabel,
      slackWebhookUrl: settings.slackWebhookUrl,
      logger,
    });
    setOutput('revert-pull-request', result.revertNumber ?? '');
    setOutput('api-calls', api.client.calls);
    await core.summary
      .addRaw(
        `## Dependabot revert\n\n${result.outcome}\n\nGitHub API calls: ${api.client.calls}\n`,
      )
      .write();
    return;
  }
  const number = (event.pull_request as { number?: number } | undefined)
    ?.number;
  if (typeof number !== 'number') {
    throw new ConfigurationError(
      'The event has no pull_request: run the triage on the pull_request event (mode: triage), or set mode: revert on workflow_run.',
    );
  }
  const summary = await triage(number, {
    api,
    mergeApi,
    settings,
    logger,
    setOutput,
  });
  setOutput(
    'api-calls',
    api.client.calls + (mergeApi === api ? 0 : mergeApi.client.calls),
  );
  await core.summary.addRaw(summary).write();
}

function readEvent(): Record<string, unknown> {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) {
    throw new ConfigurationError(
      'GITHUB_EVENT_PATH is not set. The runner sets it to the event payload file.',
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
