import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../shared/logger.js';
import type { UpdatedDependency } from './types.js';

const run = promisify(execFile);

/**
 * Returns how long ago the new version was published, read with the npm
 * client (`npm view NAME time --json`) so the user's registry settings
 * apply. Other ecosystems, and any failure, give undefined: the age is
 * unknown and a rule that needs one does not match.
 */
export async function releaseAgeMs(
  dependency: UpdatedDependency,
  logger: Logger,
  now = Date.now(),
): Promise<number | undefined> {
  if (dependency.ecosystem !== 'npm' || dependency.newVersion === '')
    return undefined;
  try {
    const { stdout } = await run(
      'npm',
      ['view', dependency.name, 'time', '--json'],
      {
        timeout: 30_000,
      },
    );
    const times = JSON.parse(stdout) as Record<string, string>;
    const published = times[dependency.newVersion.replace(/^v/, '')];
    if (!published) {
      logger.debug(
        `npm view ${dependency.name}: no time for ${dependency.newVersion}`,
      );
      return undefined;
    }
    return now - Date.parse(published);
  } catch (error) {
    logger.warning(
      `Release age of ${dependency.name} is unknown: npm view failed (${(error as Error).message.split('\n')[0]}).`,
    );
    return undefined;
  }
}
