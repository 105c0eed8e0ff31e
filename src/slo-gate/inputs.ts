import * as core from '@actions/core';
import { ConfigurationError } from '../shared/errors.js';
import {
  getBoolInput,
  getChoiceInput,
  getDurationInput,
  getIntInput,
  getNumberInput,
  getOptionalInput,
  getRequiredInput,
} from '../shared/inputs.js';
import type { PrometheusOptions } from '../shared/prometheus.js';
import type { GatePolicy } from './policy.js';

export const MODES = ['gate', 'rules', 'dashboard', 'report'] as const;
export type Mode = (typeof MODES)[number];

/** Every setting of the action, read and validated once. */
export interface Settings {
  mode: Mode;
  /** SLO files, one path per line or comma-separated. */
  sloFiles: string[];
  /** Prometheus connection; unset in modes that need none. */
  prometheus?: PrometheusOptions;
  policy: GatePolicy;
  scrapeIntervalSeconds: number;
  useRecordingRules: boolean;
  /** End of every window; the current time when unset. */
  evaluationTime?: Date;
  /** Folder for generated rules, tests and dashboards. */
  outputDir: string;
  /** Slack incoming webhook for gates that do not pass; masked. */
  slackWebhookUrl?: string;
  /** Issue settings of the report mode; unset when no issue is written. */
  reportIssue?: { token: string; label: string; title: string };
}

/** Reads the action inputs into typed settings. */
export function readSettings(): Settings {
  const mode = getChoiceInput('mode', MODES);
  const needsPrometheus = mode === 'gate' || mode === 'report';
  return {
    mode,
    sloFiles: getRequiredInput('slo-file')
      .split(/[\n,]/)
      .map((path) => path.trim())
      .filter((path) => path !== ''),
    prometheus: needsPrometheus ? readPrometheus() : undefined,
    policy: {
      minBudgetRemaining:
        getNumberInput('min-budget-remaining', -100, 100) / 100,
      blockOnPage: getBoolInput('block-on-page'),
      blockOnTicket: getBoolInput('block-on-ticket'),
      minEvents: getIntInput('min-events', 1),
      onInsufficientData: getChoiceInput('on-insufficient-data', [
        'fail',
        'warn',
      ]),
      onPrometheusError: getChoiceInput('on-prometheus-error', [
        'fail',
        'pass',
      ]),
    },
    scrapeIntervalSeconds: getDurationInput('scrape-interval') / 1000,
    useRecordingRules: getBoolInput('use-recording-rules'),
    evaluationTime: readTime('evaluation-time'),
    outputDir: getRequiredInput('output-dir'),
    slackWebhookUrl: readSecretInput('slack-webhook-url'),
    reportIssue: mode === 'report' ? readReportIssue() : undefined,
  };
}

function readPrometheus(): PrometheusOptions {
  const url = getRequiredInput('prometheus-url');
  if (!/^https?:\/\/[^/]+/.test(url)) {
    throw new ConfigurationError(
      `Input "prometheus-url" is "${url}", which is not an http(s) URL. ` +
        'Set it to the Prometheus base URL, such as http://prometheus:9090.',
    );
  }
  const bearerToken = getOptionalInput('prometheus-token');
  const username = getOptionalInput('prometheus-username');
  const password = getOptionalInput('prometheus-password');
  for (const secret of [bearerToken, password])
    if (secret) core.setSecret(secret);
  if (bearerToken && username) {
    throw new ConfigurationError(
      'Inputs "prometheus-token" and "prometheus-username" are both set. ' +
        'Use a bearer token or basic auth, not both.',
    );
  }
  return {
    url,
    bearerToken,
    username,
    password,
    timeoutMs: getDurationInput('timeout'),
    retries: getIntInput('retries', 0, 10),
  };
}

function readSecretInput(name: string): string | undefined {
  const value = getOptionalInput(name);
  if (value) core.setSecret(value);
  return value;
}

function readTime(name: string): Date | undefined {
  const text = getOptionalInput(name);
  if (text === undefined) return undefined;
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new ConfigurationError(
      `Input "${name}" is "${text}", which is not a time. Use ISO 8601, ` +
        'such as 2026-11-30T12:00:00Z, or leave it empty for now.',
    );
  }
  return time;
}

function readReportIssue(): Settings['reportIssue'] {
  if (!getBoolInput('report-issue')) return undefined;
  const token = getRequiredInput('github-token');
  core.setSecret(token);
  return {
    token,
    label: getRequiredInput('report-issue-label'),
    title: getRequiredInput('report-issue-title'),
  };
}
