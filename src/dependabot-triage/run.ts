import { ConfigurationError } from '../shared/errors.js';

/** Runs the action. */
export async function run(): Promise<void> {
  throw new ConfigurationError('This action is not built yet.');
}
