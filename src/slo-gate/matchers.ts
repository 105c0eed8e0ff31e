import { parseSelector } from './selectors.js';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const MATCHER =
  /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;

/** Parses a selector into its metric name and label matchers. */
export function parseMatchers(
  selector: string,
): { name: string; matchers: Matcher[] } | undefined {
  const parsed = parseSelector(selector);
  if (!parsed) return undefined;
  const matchers: Matcher[] = [];
  MATCHER.lastIndex = 0;
  let consumed = 0;
  for (
    let m = MATCHER.exec(parsed.matchers);
    m;
    m = MATCHER.exec(parsed.matchers)
  ) {
    const value = m[3].replace(/\\(.)/g, '$1');
    matchers.push({ label: m[1], op: m[2] as Matcher['op'], value });
    consumed = MATCHER.lastIndex;
    if (consumed >= parsed.matchers.length) break;
  }
  if (consumed < parsed.matchers.trim().length) return undefined;
  return { name: parsed.name, matchers };
}

/** Returns true when a series (name and labels) matches the selector. */
export function matchesSelector(
  selector: string,
  name: string,
  labels: Record<string, string>,
): boolean {
  const parsed = parseMatchers(selector);
  if (!parsed || parsed.name !== name) return false;
  return parsed.matchers.every((matcher) => {
    const value = labels[matcher.label] ?? '';
    const regex = new RegExp(`^(?:${matcher.value})$`);
    switch (matcher.op) {
      case '=':
        return value === matcher.value;
      case '!=':
        return value !== matcher.value;
      case '=~':
        return regex.test(value);
      case '!~':
        return !regex.test(value);
    }
  });
}

/**
 * Builds the labels of a series that the selector matches: equality values
 * as written, and for a regex the first alternative with `.` read as `0`.
 * Returns undefined when that guess does not match.
 */
export function exampleSeries(
  selector: string,
): { name: string; labels: Record<string, string> } | undefined {
  const parsed = parseMatchers(selector);
  if (!parsed) return undefined;
  const labels: Record<string, string> = {};
  for (const matcher of parsed.matchers) {
    if (matcher.op === '=') labels[matcher.label] = matcher.value;
    if (matcher.op === '=~') {
      labels[matcher.label] = matcher.value
        .split('|')[0]
        .replace(/^\(|\)$/g, '')
        .replace(/\\\./g, '\uE000')
        .replace(/\./g, '0')
        .replace(/\uE000/g, '.');
    }
  }
  for (const key of Object.keys(labels))
    if (labels[key] === '') delete labels[key];
  if (!matchesSelector(selector, parsed.name, labels)) return undefined;
  return { name: parsed.name, labels };
}

/** Formats a series in Prometheus notation: `name{a="b"}`. */
export function formatSeries(
  name: string,
  labels: Record<string, string>,
): string {
  const parts = Object.entries(labels).map(
    ([key, value]) => `${key}=${JSON.stringify(value)}`,
  );
  return parts.length > 0 ? `${name}{${parts.join(',')}}` : name;
}
