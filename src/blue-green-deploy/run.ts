import * as core from '@actions/core';
import { formatDuration } from '../shared/duration.js';
import { actionsLogger, type Logger } from '../shared/logger.js';
import { setOutput } from '../shared/run.js';
import { Markdown } from '../shared/summary.js';
import { createContext, type Context, type Outcome } from './context.js';
import { deploy, DeployFailedError } from './deploy.js';
import { connectDocker } from './docker.js';
import { readSettings, type Mode } from './inputs.js';
import { rollback } from './rollback.js';
import { createRouter } from './routers/index.js';
import { cleanup, status } from './status.js';

const MODE_RUNNERS: Record<Mode, (context: Context) => Promise<Outcome>> = {
  deploy,
  rollback,
  status,
  cleanup,
};

/** Runs blue-green-deploy in the mode its inputs ask for. */
export async function run(logger: Logger = actionsLogger): Promise<void> {
  const settings = readSettings();
  logger.debug(`settings: ${JSON.stringify(settings)}`);
  const docker = connectDocker(settings.dockerHost);
  const router = createRouter(settings.router, logger);
  const context = createContext(settings, docker, router, logger);

  let outcome: Outcome;
  try {
    outcome = await MODE_RUNNERS[settings.mode](context);
  } catch (error) {
    if (error instanceof DeployFailedError) {
      await report(context, error.outcome);
    }
    throw error;
  }
  await report(context, outcome);
}

/** Sets the outputs and writes the job summary. */
async function report(context: Context, outcome: Outcome): Promise<void> {
  setOutput('result', outcome.result);
  setOutput('active-color', outcome.active?.color ?? '');
  setOutput('active-image', outcome.active?.image ?? '');
  setOutput('previous-color', outcome.previous?.color ?? '');
  setOutput('previous-image', outcome.previous?.image ?? '');
  context.logger.info(outcome.message);
  await core.summary.addRaw(renderSummary(context, outcome)).write();
}

/** Renders the job summary: the outcome, then the timeline of phases. */
export function renderSummary(context: Context, outcome: Outcome): string {
  const { settings, timeline } = context;
  const markdown = new Markdown()
    .heading(`blue-green-deploy: ${settings.service} (${settings.mode})`)
    .paragraph(`**${outcome.result}**: ${outcome.message.split('\n')[0]}`);
  if (outcome.message.includes('\n')) {
    markdown.details('Details', `\`\`\`\n${outcome.message}\n\`\`\``);
  }
  for (const table of outcome.tables) {
    markdown.heading(table.title, 3).table(table.header, table.rows);
  }
  markdown
    .heading('Timeline', 3)
    .table(['phase', 'outcome', 'took', 'detail'], timeline.rows())
    .paragraph(
      `Total: ${formatDuration(timeline.totalMs())} (router: ${settings.router.kind}).`,
    );
  return markdown.toString();
}
