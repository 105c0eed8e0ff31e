import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../actions/slo-gate/slo.schema.json' with { type: 'json' };
import { parseDuration } from '../shared/duration.js';
import { percentToRatio, type Sli, type Slo, type SloWindow } from './model.js';
import { invalid, joinPath } from './file-errors.js';
import { latencyToRatio } from './selectors.js';
import { isValidTimeZone } from './windows.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

interface NativeSlo {
  name: string;
  description?: string;
  objective: number;
  window: string | { calendar: 'week' | 'month'; timeZone?: string };
  labels?: Record<string, string>;
  sli: {
    ratio?: { good?: string; bad?: string; total: string };
    latency?: { histogram: string; threshold: number };
    threshold?: {
      query: string;
      operator: '>=' | '>' | '<=' | '<';
      value: number;
      timeSlice?: string;
    };
  };
  gate?: {
    enabled?: boolean;
    minBudgetRemaining?: number;
    blockOnPage?: boolean;
    blockOnTicket?: boolean;
  };
}

interface NativeFile {
  service: string;
  labels?: Record<string, string>;
  slos: NativeSlo[];
}

/** Validates a `slo-gate/v1` document against the schema and converts it. */
export function convertNative(document: unknown, file: string): Slo[] {
  if (!validate(document)) {
    const error = pickError(validate.errors ?? []);
    const path = pointerToPath(error.instancePath);
    invalid(
      file,
      path,
      valueAt(document, error.instancePath),
      describeError(error),
      fixFor(path),
    );
  }
  const native = document as unknown as NativeFile;
  return native.slos.map((slo, index) =>
    convertSlo(native, slo, file, `slos[${index}]`),
  );
}

function convertSlo(
  native: NativeFile,
  slo: NativeSlo,
  file: string,
  path: string,
): Slo {
  return {
    service: native.service,
    name: slo.name,
    description: slo.description,
    objective: percentToRatio(slo.objective),
    window: convertWindow(slo.window, file, joinPath(path, 'window')),
    sli: convertSli(slo.sli, file, joinPath(path, 'sli')),
    labels: { ...native.labels, ...slo.labels },
    gate: { enabled: true, ...slo.gate },
    source: file,
  };
}

function convertWindow(
  window: NativeSlo['window'],
  file: string,
  path: string,
): SloWindow {
  if (typeof window === 'string') {
    return {
      kind: 'rolling',
      seconds: parseDuration(window, `${file}: ${path}`) / 1000,
    };
  }
  const timeZone = window.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) {
    invalid(
      file,
      joinPath(path, 'timeZone'),
      timeZone,
      'unknown time zone',
      'Use an IANA time zone name such as UTC or Europe/Berlin.',
    );
  }
  return { kind: 'calendar', unit: window.calendar, timeZone };
}

function convertSli(sli: NativeSlo['sli'], file: string, path: string): Sli {
  if (sli.ratio) return { kind: 'ratio', ...sli.ratio };
  if (sli.latency) {
    const ratio = latencyToRatio(sli.latency.histogram, sli.latency.threshold);
    if (!ratio) {
      invalid(
        file,
        joinPath(path, 'latency.histogram'),
        sli.latency.histogram,
        'not a metric selector',
        'Write the histogram name with its matchers, such as ' +
          'http_request_duration_seconds{job="api"}.',
      );
    }
    return ratio;
  }
  const threshold = sli.threshold!;
  const slicePath = `${file}: ${joinPath(path, 'threshold.timeSlice')}`;
  return {
    kind: 'threshold',
    query: threshold.query.trim(),
    operator: threshold.operator,
    value: threshold.value,
    sliceSeconds: parseDuration(threshold.timeSlice ?? '1m', slicePath) / 1000,
  };
}

const FIXES: Record<string, string> = {
  window:
    'Use a duration such as 30d, 28d or 7d, or ' +
    '{ calendar: month, timeZone: Europe/Berlin }.',
  objective: 'Write the target as a percentage, such as 99.9.',
  name: 'Use lower-case letters, digits, - and _, at most 63 characters.',
  service: 'Use lower-case letters, digits, - and _, at most 63 characters.',
  selector:
    'Write a plain selector such as http_requests_total{job="api"}; the ' +
    'gate applies increase() to each series itself.',
};

/** Returns the fix for an invalid value at `path`, by its field name. */
function fixFor(path: string): string {
  const field = /([a-zA-Z]+)(\[\d+\])?$/.exec(path)?.[1] ?? '';
  const selector = ['good', 'bad', 'total', 'histogram'].includes(field);
  const fix = FIXES[selector ? 'selector' : field];
  const schema = 'The format is in actions/slo-gate/slo.schema.json.';
  return fix ? `${fix} ${schema}` : `See actions/slo-gate/slo.schema.json.`;
}

/** Prefers the most specific error: the deepest path, not a oneOf summary. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const specific = errors.filter(
    (error) => !['oneOf', 'anyOf', 'if'].includes(error.keyword),
  );
  const pool = specific.length > 0 ? specific : errors;
  return pool.reduce((best, error) =>
    error.instancePath.length > best.instancePath.length ? error : best,
  );
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(params.additionalProperty)}"`;
    case 'required':
      return `missing field "${String(params.missingProperty)}"`;
    case 'enum':
      return `must be one of ${JSON.stringify(params.allowedValues)}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'pattern':
      return `does not match ${String(params.pattern)}`;
    default:
      return error.message ?? 'invalid value';
  }
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>(
      (path, part) =>
        /^\d+$/.test(part)
          ? joinPath(path, Number(part))
          : joinPath(path, part),
      '',
    );
}

function valueAt(document: unknown, pointer: string): unknown {
  let value = document;
  for (const part of pointer.split('/').slice(1)) {
    value = (value as Record<string, unknown> | undefined)?.[part];
  }
  return value;
}
