import * as core from '@actions/core';
import { formatDuration } from '../shared/duration.js';
import { ConfigurationError, errorMessage } from '../shared/errors.js';
import { actionsLogger, type Logger } from '../shared/logger.js';
import { setOutput } from '../shared/run.js';
import { Markdown } from '../shared/summary.js';
import { abortCanary } from './conclude.js';
import { createContext, type Context, type Outcome } from './context.js';
import { deploy, DeployFailedError, promote } from './deploy.js';
import { connectDocker } from './docker.js';
import { readSettings, type Mode } from './inputs.js';
import { LockedError, LockLostError, releaseLock } from './lock.js';
import { abort, rollback } from './rollback.js';
import { createRouter } from './routers/index.js';
import { cleanup, status } from './status.js';

const MODE_RUNNERS: Record<Mode, (context: Context) => Promise<Outcome>> = {
  deploy,
  promote,
  rollback,
  abort,
  status,
  cleanup,
};

/** State names shared between the main step and the post step. */
const STATE = { isPost: 'isPost', finished: 'finished' } as const;

function buildContext(logger: Logger): Context {
  const settings = readSettings();
  logger.debug(
    `settings: ${JSON.stringify(settings, (key, value: unknown) =>
      /token|privateKey/i.test(key) && value ? '***' : value,
    )}`,
  );
  const docker = connectDocker(settings.dockerHost, settings.ssh);
  if (settings.dockerHost?.startsWith('ssh:') && !settings.ssh.hostKey) {
    logger.warning(
      'docker-host uses SSH without docker-ssh-host-key, so the host key is not checked. Set it to the line ssh-keyscan prints for the host.',
    );
  }
  const router = createRouter(settings.router, logger, docker);
  return createContext(settings, docker, router, logger);
}

/** Runs blue-green-deploy in the mode its inputs ask for. */
export async function run(logger: Logger = actionsLogger): Promise<void> {
  core.saveState(STATE.isPost, 'true');
  let context: Context;
  try {
    context = buildContext(logger);
  } catch (error) {
    // Nothing changed yet, so the post step has nothing to repair.
    core.saveState(STATE.finished, 'true');
    throw error;
  }
  let outcome: Outcome;
  try {
    outcome = await MODE_RUNNERS[context.settings.mode](context);
  } catch (error) {
    if (/Host denied \(verification failed\)/.test(errorMessage(error))) {
      // ssh2 rejected the host key before any request reached Docker.
      core.saveState(STATE.finished, 'true');
      throw new ConfigurationError(
        `The SSH host key of docker-host ${context.settings.dockerHost} does not match input "docker-ssh-host-key". Check the host with ssh-keyscan and update the input, or find out why the key changed.`,
      );
    }
    // These errors leave traffic where it was verified last; anything else
    // may have stopped between two steps, and the post step repairs that.
    if (error instanceof DeployFailedError) {
      core.saveState(STATE.finished, 'true');
      await report(context, error.outcome);
    } else if (
      error instanceof ConfigurationError ||
      error instanceof LockedError ||
      error instanceof LockLostError
    ) {
      core.saveState(STATE.finished, 'true');
    }
    throw error;
  }
  core.saveState(STATE.finished, 'true');
  await report(context, outcome);
}

/**
 * The post step. When the main step ended before it finished (cancelled,
 * killed or failed mid-step), it sends all traffic to the last promoted
 * color and releases the lock. It only warns: cleanup never fails a job.
 */
export async function runPost(logger: Logger = actionsLogger): Promise<void> {
  if (core.getState(STATE.finished) === 'true') {
    logger.debug('The main step finished; nothing to repair.');
    return;
  }
  try {
    const context = buildContext(logger);
    const { record } = await context.records.read();
    const progress = record.inProgress;
    if (progress && progress.owner === context.settings.runRef) {
      const outcome = await abortCanary(
        context,
        progress,
        'the job stopped before the deploy finished',
      );
      logger.warning(outcome.message);
    }
    await releaseLock(context);
  } catch (error) {
    logger.warning(
      `Post step could not repair the deploy state: ${errorMessage(error)}`,
    );
  }
}

/** Sets the outputs and writes the job summary. */
async function report(context: Context, outcome: Outcome): Promise<void> {
  setOutput('result', outcome.result);
  setOutput('active-color', outcome.active?.color ?? '');
  setOutput('active-image', outcome.active?.image ?? '');
  setOutput('previous-color', outcome.previous?.color ?? '');
  setOutput('previous-image', outcome.previous?.image ?? '');
  setOutput('canary-weight', outcome.canary?.weight ?? 0);
  context.logger.info(outcome.message);
  await core.summary.addRaw(renderSummary(context, outcome)).write();
}

/** Renders the job summary: the outcome, its tables, then the timeline. */
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
