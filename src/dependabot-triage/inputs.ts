import * as core from '@actions/core';
import { ConfigurationError } from '../shared/errors.js';
import {
  getBoolInput,
  getChoiceInput,
  getDurationInput,
  getOptionalInput,
  getRequiredInput,
} from '../shared/inputs.js';
import type { MergeMethod } from './types.js';

/** Everything the action reads from its inputs and the runner. */
export interface Settings {
  mode: 'triage' | 'revert';
  /** Token for reading, labels, comments and the approval. */
  token: string;
  /** Token for merges; the default token when `merge-token` is empty. */
  mergeToken: string;
  /** True when merges use the default token, which starts no workflows. */
  mergeWithDefaultToken: boolean;
  policyPath: string;
  mergeMethod: MergeMethod;
  allowUnsignedCommits: boolean;
  useAutoMerge: boolean;
  checkTimeoutMs: number;
  checkIntervalMs: number;
  /** Check run name of this job, left out when waiting for checks. */
  ownCheckName: string;
  addLabels: boolean;
  revertLabel: string;
  slackWebhookUrl?: string;
  owner: string;
  repo: string;
  apiUrl: string;
  graphqlUrl: string;
  runUrl: string;
  event: Record<string, unknown>;
}

/** Reads and validates every input; defaults live in action.yml. */
export function readSettings(event: Record<string, unknown>): Settings {
  const token = getRequiredInput('github-token');
  const mergeToken = getOptionalInput('merge-token');
  const slack = getOptionalInput('slack-webhook-url');
  if (slack) {
    core.setSecret(slack);
    if (!/^https?:\/\//.test(slack)) {
      throw new ConfigurationError(
        'Input "slack-webhook-url" is not an http(s) URL. Pass the incoming webhook URL from a secret.',
      );
    }
  }
  const [owner, repo] = requiredEnv('GITHUB_REPOSITORY').split('/');
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    mode: getChoiceInput('mode', ['triage', 'revert'] as const),
    token,
    mergeToken: mergeToken ?? token,
    mergeWithDefaultToken: mergeToken === undefined,
    policyPath: getRequiredInput('policy-path'),
    mergeMethod: getChoiceInput('merge-method', [
      'merge',
      'squash',
      'rebase',
    ] as const),
    allowUnsignedCommits: getBoolInput('allow-unsigned-commits'),
    useAutoMerge: getBoolInput('use-auto-merge'),
    checkTimeoutMs: getDurationInput('check-timeout'),
    checkIntervalMs: getDurationInput('check-interval'),
    ownCheckName: getRequiredInput('own-check-name'),
    addLabels: getBoolInput('add-labels'),
    revertLabel: getRequiredInput('revert-label'),
    slackWebhookUrl: slack,
    owner,
    repo,
    apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
    graphqlUrl:
      process.env.GITHUB_GRAPHQL_URL ?? 'https://api.github.com/graphql',
    runUrl: `${server}/${owner}/${repo}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`,
    event,
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new ConfigurationError(
      `Environment variable ${name} is not set. The runner sets it; set it yourself when running the action elsewhere.`,
    );
  }
  return value;
}
