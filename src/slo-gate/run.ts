import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError } from '../shared/errors.js';
import { actionsLogger, type Logger } from '../shared/logger.js';
import { PrometheusClient } from '../shared/prometheus.js';
import { setOutput } from '../shared/run.js';
import type { EvaluateOptions } from './evaluate.js';
import { runGate } from './gate.js';
import { renderGateSummary } from './gate-summary.js';
import { writeDashboards, writeRules } from './generate.js';
import { readSettings, type Settings } from './inputs.js';
import { loadSloFiles } from './load.js';
import type { Slo } from './model.js';
import { notifySlack, slackMessage, workflowRunUrl } from './notify.js';
import { buildWeeklyReport } from './report.js';
import { publishReportIssue } from './report-issue.js';

/** Runs the action in the mode its inputs select. */
export async function run(): Promise<void> {
  const logger = actionsLogger;
  const settings = readSettings();
  const slos = await logger.group('Load SLO files', async () => {
    const loaded = await loadSloFiles(settings.sloFiles);
    for (const slo of loaded) {
      logger.info(`${slo.service}/${slo.name} from ${slo.source}`);
    }
    return loaded;
  });
  switch (settings.mode) {
    case 'gate':
      return gate(settings, slos, logger);
    case 'rules':
      return outputFiles(await writeRules(slos, settings.outputDir, logger));
    case 'dashboard':
      return outputFiles(await writeDashboards(slos, settings.outputDir));
    case 'report':
      return report(settings, slos, logger);
  }
}

function evaluateOptions(settings: Settings): EvaluateOptions {
  return {
    at: settings.evaluationTime ?? new Date(),
    useRecordingRules: settings.useRecordingRules,
    math: {
      minEvents: settings.policy.minEvents,
      scrapeIntervalSeconds: settings.scrapeIntervalSeconds,
    },
    policy: settings.policy,
  };
}

function client(settings: Settings, logger: Logger): PrometheusClient {
  if (!settings.prometheus) {
    throw new ConfigurationError('Input "prometheus-url" is required.');
  }
  return new PrometheusClient({ ...settings.prometheus, logger });
}

async function gate(settings: Settings, slos: Slo[], logger: Logger) {
  const report = await logger.group('Evaluate SLOs', () =>
    runGate(client(settings, logger), slos, evaluateOptions(settings), logger),
  );
  const json = JSON.stringify(report);
  await mkdir(settings.outputDir, { recursive: true });
  const reportFile = join(settings.outputDir, 'slo-gate-report.json');
  await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  await core.summary.addRaw(renderGateSummary(report)).write();
  setOutput('verdict', report.verdict);
  setOutput('report', json);
  setOutput('report-file', reportFile);
  for (const slo of report.slos) {
    logger.info(`${slo.id}: ${slo.verdict}. ${slo.reasons.join(' ')}`);
    for (const warning of slo.warnings) logger.warning(`${slo.id}: ${warning}`);
  }
  if (
    settings.slackWebhookUrl &&
    (report.verdict !== 'pass' || !report.prometheusReachable)
  ) {
    const text = slackMessage(report, workflowRunUrl(process.env));
    await notifySlack(settings.slackWebhookUrl, text, logger);
  }
  if (report.failJob) {
    core.setFailed(report.message);
  } else if (report.verdict !== 'pass' || !report.prometheusReachable) {
    logger.warning(report.message);
  } else {
    logger.info(report.message);
  }
}

async function report(settings: Settings, slos: Slo[], logger: Logger) {
  const weekly = await logger.group(
    'Evaluate last week and month to date',
    () =>
      buildWeeklyReport(
        client(settings, logger),
        slos,
        evaluateOptions(settings),
        logger,
      ),
  );
  await core.summary.addRaw(weekly.markdown).write();
  setOutput('report', JSON.stringify(weekly.rows.map(reportRow)));
  if (!settings.reportIssue) return;
  const issue = await logger.group('Publish report issue', () =>
    publishReportIssue(
      {
        ...settings.reportIssue!,
        apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
        graphqlUrl:
          process.env.GITHUB_GRAPHQL_URL ?? 'https://api.github.com/graphql',
        repository: requireRepository(),
      },
      weekly.markdown,
      logger,
    ),
  );
  setOutput('issue-number', issue.number);
}

function reportRow(
  row: Awaited<ReturnType<typeof buildWeeklyReport>>['rows'][number],
) {
  return {
    id: row.id,
    objective: row.objective,
    lastWeek: {
      sli: row.lastWeek.numbers?.sli ?? null,
      budgetRemaining: row.lastWeek.numbers?.budgetRemaining ?? null,
      verdict: row.lastWeek.verdict,
    },
    monthToDate: {
      sli: row.monthToDate.numbers?.sli ?? null,
      budgetRemaining: row.monthToDate.numbers?.budgetRemaining ?? null,
      verdict: row.monthToDate.verdict,
    },
  };
}

function requireRepository(): string {
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  if (!/^[^/]+\/[^/]+$/.test(repository)) {
    throw new ConfigurationError(
      `GITHUB_REPOSITORY is "${repository}"; the report issue needs owner/repo. ` +
        'Run the report mode inside a GitHub workflow.',
    );
  }
  return repository;
}

function outputFiles(files: string[]) {
  setOutput('files', files.join('\n'));
}
