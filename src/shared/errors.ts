/**
 * A mistake in the user's configuration: an input, a policy file or an SLO
 * file. Its message names the setting, the value found and the fix, so the
 * entry point reports it without a stack trace.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Returns the message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
