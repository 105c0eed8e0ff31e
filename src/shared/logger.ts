import * as core from '@actions/core';

/**
 * The logging surface that the logic modules receive, so the same code runs
 * inside an action, in the demo and in tests.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Runs `fn` inside a collapsible log group that is closed even on error. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Logger backed by the runner's workflow commands. */
export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
  async group(name, fn) {
    core.startGroup(name);
    try {
      return await fn();
    } finally {
      core.endGroup();
    }
  },
};

/** Logger that writes plain lines to stderr; `verbose` enables debug lines. */
export function consoleLogger(verbose = false): Logger {
  const write = (level: string, message: string) =>
    process.stderr.write(`${level.padEnd(7)} ${message}\n`);
  return {
    debug: (message) => {
      if (verbose) write('debug', message);
    },
    info: (message) => write('info', message),
    warning: (message) => write('warning', message),
    error: (message) => write('error', message),
    async group(name, fn) {
      write('group', name);
      return fn();
    },
  };
}

/** Logger that keeps every line in memory, for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (message) => lines.push(`debug: ${message}`),
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    async group(name, fn) {
      lines.push(`group: ${name}`);
      return fn();
    },
  };
}
