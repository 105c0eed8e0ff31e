import { ConfigurationError } from '../shared/errors.js';

/** Path of a value inside a file, written as `slos[0].sli.ratio.total`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Raises a configuration error that names file, path, value and fix. */
export function invalid(
  file: string,
  path: string,
  value: unknown,
  problem: string,
  fix: string,
): never {
  const shown = value === undefined ? 'nothing' : JSON.stringify(value);
  throw new ConfigurationError(
    `${file}: ${path || '(top level)'}: ${problem} (found ${shown}). ${fix}`,
  );
}
