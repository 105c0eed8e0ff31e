import * as core from '@actions/core';
import { ConfigurationError, errorMessage } from './errors.js';

/**
 * Runs an action's `run()` and reports failure through the runner. A
 * configuration error is reported by its message alone; anything else is a
 * bug or an outage, so its stack goes to the debug log as well.
 */
export async function runAction(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ConfigurationError) && error instanceof Error) {
      core.debug(error.stack ?? error.message);
    }
    const prefix =
      error instanceof ConfigurationError ? 'Configuration error: ' : '';
    core.setFailed(`${prefix}${errorMessage(error)}`);
  }
}

/** Sets an output and prints its value once, as every output should be. */
export function setOutput(name: string, value: string | number | boolean) {
  const text = String(value);
  core.info(
    `output ${name}=${text.length > 300 ? `${text.slice(0, 300)}…` : text}`,
  );
  core.setOutput(name, text);
}
