import * as core from '@actions/core';
import { ConfigurationError } from './errors.js';
import { parseDuration } from './duration.js';

/**
 * Typed readers for action inputs. Defaults live in each `action.yml`, so an
 * empty value here means the user cleared an input that has no default.
 */

/** Reads an input that must be set, or raises a configuration error. */
export function getRequiredInput(name: string): string {
  const value = core.getInput(name).trim();
  if (value === '') {
    throw new ConfigurationError(
      `Input "${name}" is required but was empty. Set it in the step's "with:" block.`,
    );
  }
  return value;
}

/** Reads an optional input; returns undefined when it is empty. */
export function getOptionalInput(name: string): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

/** Reads an input that must be one of `allowed`. */
export function getChoiceInput<T extends string>(
  name: string,
  allowed: readonly T[],
): T {
  const value = getRequiredInput(name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      `Input "${name}" is "${value}", which is not one of: ${allowed.join(', ')}.`,
    );
  }
  return value as T;
}

/** Reads an integer input within [min, max]. */
export function getIntInput(
  name: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = getRequiredInput(name);
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `Input "${name}" is "${text}", but it must be a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}

/** Reads a number input within [min, max]. */
export function getNumberInput(
  name: string,
  min = -Infinity,
  max = Infinity,
): number {
  const text = getRequiredInput(name);
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigurationError(
      `Input "${name}" is "${text}", but it must be a number from ${min} to ${max}.`,
    );
  }
  return value;
}

/** Reads a duration input (`30s`, `5m`) as milliseconds, at least `minMs`. */
export function getDurationInput(name: string, minMs = 0): number {
  const text = getRequiredInput(name);
  const value = parseDuration(text, `Input "${name}"`);
  if (value < minMs) {
    throw new ConfigurationError(
      `Input "${name}" is "${text}", but it must be at least ${minMs} ms, such as ${Math.max(1, Math.ceil(minMs / 1000))}s.`,
    );
  }
  return value;
}

/** Reads a boolean input written as true/false (YAML 1.2 core schema). */
export function getBoolInput(name: string): boolean {
  const value = getRequiredInput(name);
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new ConfigurationError(
    `Input "${name}" is "${value}", but it must be true or false.`,
  );
}
