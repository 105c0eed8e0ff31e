import { ConfigurationError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `500ms`, `30s`, `5m`, `1h30m` or `30d` into
 * milliseconds. A bare number is read as seconds. `name` is the input or
 * field the value came from, used in the error message.
 */
export function parseDuration(value: string, name: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = part.lastIndex;
  }
  if (text === '' || consumed !== text.length) {
    throw new ConfigurationError(
      `${name}: "${value}" is not a duration. Use a number with a unit, ` +
        'such as 500ms, 30s, 5m, 1h or 30d.',
    );
  }
  return Math.round(total);
}

/** Formats milliseconds compactly, as `850ms`, `4.2s` or `3m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
