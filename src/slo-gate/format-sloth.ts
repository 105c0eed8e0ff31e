import { invalid } from './file-errors.js';
import { percentToRatio, type Slo } from './model.js';
import { formatSelector, parseSelector } from './selectors.js';

type Doc = Record<string, unknown>;

// sum(rate(SELECTOR[{{.window}}])) or increase, with an optional by (...).
const EVENTS_QUERY =
  /^\s*sum\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*(?:rate|increase)\s*\(\s*(.+?)\s*\[\s*\{\{\s*\.window\s*\}\}\s*\]\s*\)\s*\)\s*$/s;

// Two event queries subtracted: sum(rate(a[...])) - sum(rate(b[...])).
const DIFFERENCE = /^\s*(sum.*?\]\s*\)\s*\))\s*-\s*(sum.*)$/s;

/**
 * Converts a Sloth `prometheus/v1` spec. Event queries must have the shape
 * `sum(rate(selector[{{.window}}]))`; the selector is kept, so the window
 * SLI is a traffic-weighted ratio of increases. Sloth's `raw` ratio queries
 * cannot be weighted by traffic and are rejected. Sloth has no window
 * field, so the window is 30 days, Sloth's default.
 */
export function convertSloth(document: unknown, file: string): Slo[] {
  const spec = document as Doc;
  const service = spec.service;
  if (typeof service !== 'string' || service === '') {
    invalid(
      file,
      'service',
      service,
      'missing service',
      'Set service to the service name.',
    );
  }
  const slos = spec.slos;
  if (!Array.isArray(slos) || slos.length === 0) {
    invalid(
      file,
      'slos',
      slos,
      'no SLOs',
      'Add at least one entry under slos.',
    );
  }
  return slos.map((value: Doc, index: number) => {
    const path = `slos[${index}]`;
    const objective = Number(value.objective);
    if (!(objective > 0 && objective < 100)) {
      invalid(
        file,
        `${path}.objective`,
        value.objective,
        'must be a percentage between 0 and 100',
        'Write 99.9 for 99.9%.',
      );
    }
    const sli = (value.sli ?? {}) as Doc;
    if (sli.raw) {
      invalid(
        file,
        `${path}.sli.raw`,
        sli.raw,
        'a raw error ratio cannot be weighted by traffic over the window',
        'Use sli.events with error_query and total_query.',
      );
    }
    const events = (sli.events ?? {}) as Doc;
    const totalPath = `${path}.sli.events.total_query`;
    const total = extractSelector(events.total_query, file, totalPath);
    const errorPath = `${path}.sli.events.error_query`;
    return {
      service,
      name: String(value.name),
      description:
        typeof value.description === 'string' ? value.description : undefined,
      objective: percentToRatio(objective),
      window: { kind: 'rolling', seconds: 30 * 86_400 },
      sli: {
        kind: 'ratio',
        ...errorSide(events.error_query, total, file, errorPath),
        total,
      },
      labels: {
        ...(spec.labels as Record<string, string>),
        ...(value.labels as Record<string, string>),
      },
      gate: { enabled: true },
      source: file,
    } satisfies Slo;
  });
}

/**
 * Reads the error query as bad events, or, in the latency shape
 * `total - good` that Sloth examples use, as good events.
 */
function errorSide(
  query: unknown,
  total: string,
  file: string,
  path: string,
): { bad: string } | { good: string } {
  const difference = typeof query === 'string' ? DIFFERENCE.exec(query) : null;
  if (difference) {
    const first = extractSelector(difference[1], file, path);
    if (first === total) {
      return { good: extractSelector(difference[2], file, path) };
    }
  }
  return { bad: extractSelector(query, file, path) };
}

function extractSelector(query: unknown, file: string, path: string): string {
  const match = typeof query === 'string' ? EVENTS_QUERY.exec(query) : null;
  const selector = match ? parseSelector(match[1]) : undefined;
  if (!selector) {
    invalid(
      file,
      path,
      query,
      'not of the form sum(rate(selector[{{.window}}]))',
      'Write the event query as sum(rate(metric{matchers}[{{.window}}])) so the gate can apply increase() to each series.',
    );
  }
  return formatSelector(selector.name, [selector.matchers]);
}
