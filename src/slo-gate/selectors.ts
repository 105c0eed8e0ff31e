import type { RatioSli } from './model.js';

const MATCHER_LIST =
  '(?:\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*(?:=~|!~|!=|=)\\s*"(?:[^"\\\\]|\\\\.)*"\\s*,?)*\\s*';
const SELECTOR = new RegExp(
  `^\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{(${MATCHER_LIST})\\})?\\s*$`,
);

/** Splits `name{matchers}` into its parts; returns undefined otherwise. */
export function parseSelector(
  text: string,
): { name: string; matchers: string } | undefined {
  const match = SELECTOR.exec(text);
  if (!match) return undefined;
  return { name: match[1], matchers: (match[3] ?? '').trim() };
}

/** Builds a selector from a metric name and matchers (without braces). */
export function formatSelector(name: string, matchers: string[]): string {
  const list = matchers.filter((matcher) => matcher !== '');
  return list.length > 0 ? `${name}{${list.join(',')}}` : name;
}

/**
 * Turns a histogram and a threshold into a ratio SLI: requests in the
 * bucket at or under the threshold are good, the histogram's count is the
 * total. Returns undefined when the histogram is not a selector.
 */
export function latencyToRatio(
  histogram: string,
  thresholdSeconds: number,
): RatioSli | undefined {
  const parsed = parseSelector(histogram);
  if (!parsed) return undefined;
  const base = parsed.name.replace(/_(bucket|count|sum)$/, '');
  const le = bucketMatcher(thresholdSeconds);
  return {
    kind: 'ratio',
    good: formatSelector(`${base}_bucket`, [parsed.matchers, le]),
    total: formatSelector(`${base}_count`, [parsed.matchers]),
    latency: { histogram, thresholdSeconds },
  };
}

/**
 * Returns the `le` matcher of a bucket bound. Client libraries write whole
 * bounds as `1` or `1.0`, so those match either spelling.
 */
export function bucketMatcher(seconds: number): string {
  if (Number.isInteger(seconds)) return `le=~"${seconds}|${seconds}\\\\.0"`;
  return `le="${seconds}"`;
}
