import { parseDuration } from '../shared/duration.js';
import { invalid, joinPath } from './file-errors.js';
import { percentToRatio, type Slo, type SloWindow } from './model.js';
import { convertIndicator } from './format-openslo-sli.js';
import { isValidTimeZone } from './windows.js';

export type Doc = Record<string, unknown>;
export interface Located {
  doc: Doc;
  path: string;
}

/**
 * Converts OpenSLO v1 documents: SLO kinds with inline or referenced SLI
 * kinds, ratioMetric (good or bad over total) and thresholdMetric, budgeting
 * methods Occurrences, Timeslices and RatioTimeslices, rolling and calendar
 * windows. Other kinds (Service, AlertPolicy, ...) are skipped.
 */
export function convertOpenSlo(documents: unknown[], file: string): Slo[] {
  const slis = new Map<string, Located>();
  const slos: Located[] = [];
  documents.forEach((value, index) => {
    const doc = value as Doc;
    const path = `document ${index + 1}`;
    if (doc?.apiVersion !== 'openslo/v1') {
      invalid(
        file,
        `${path}.apiVersion`,
        doc?.apiVersion,
        'unsupported',
        'Use apiVersion: openslo/v1 in every document.',
      );
    }
    const name = String((doc.metadata as Doc | undefined)?.name ?? '');
    if (doc.kind === 'SLI') slis.set(name, { doc, path });
    if (doc.kind === 'SLO') slos.push({ doc, path });
  });
  if (slos.length === 0) {
    invalid(
      file,
      '',
      'no SLO kind',
      'the file has no document of kind SLO',
      'Add a document with kind: SLO.',
    );
  }
  return slos.map((slo) => convertSlo(slo, slis, file));
}

function convertSlo(
  { doc, path }: Located,
  slis: Map<string, Located>,
  file: string,
): Slo {
  const metadata = (doc.metadata ?? {}) as Doc;
  const spec = (doc.spec ?? {}) as Doc;
  const specPath = `${path}.spec`;
  const objectives = spec.objectives as Doc[] | undefined;
  if (!Array.isArray(objectives) || objectives.length !== 1) {
    invalid(
      file,
      `${specPath}.objectives`,
      objectives,
      'the gate reads exactly one objective per SLO',
      'Split SLOs with several objectives into one SLO each.',
    );
  }
  const objective = objectives[0];
  const target = readTarget(objective, file, `${specPath}.objectives[0]`);
  const indicator = resolveIndicator(spec, slis, file, specPath);
  return {
    service: requireString(spec.service, file, `${specPath}.service`),
    name: requireString(metadata.name, file, `${path}.metadata.name`),
    description:
      typeof spec.description === 'string' ? spec.description : undefined,
    objective: target,
    window: convertWindow(spec.timeWindow, file, `${specPath}.timeWindow`),
    sli: convertIndicator(
      indicator,
      objective,
      spec.budgetingMethod,
      file,
      specPath,
    ),
    labels: flattenLabels(metadata.labels),
    gate: { enabled: true },
    source: file,
  };
}

function readTarget(objective: Doc, file: string, path: string): number {
  if (typeof objective.target === 'number') return objective.target;
  if (typeof objective.targetPercent === 'number')
    return percentToRatio(objective.targetPercent);
  invalid(
    file,
    `${path}.target`,
    objective.target,
    'missing or not a number',
    'Set target to a ratio such as 0.999.',
  );
}

function resolveIndicator(
  spec: Doc,
  slis: Map<string, Located>,
  file: string,
  path: string,
): Located {
  if (spec.indicator) {
    return { doc: spec.indicator as Doc, path: `${path}.indicator` };
  }
  const ref = spec.indicatorRef;
  const found = typeof ref === 'string' ? slis.get(ref) : undefined;
  if (!found) {
    invalid(
      file,
      `${path}.indicatorRef`,
      ref,
      'no SLI document with that metadata.name',
      'Add the SLI to the same file or inline it as spec.indicator.',
    );
  }
  return found;
}

function convertWindow(value: unknown, file: string, path: string): SloWindow {
  const windows = value as Doc[] | undefined;
  if (!Array.isArray(windows) || windows.length !== 1) {
    invalid(
      file,
      path,
      value,
      'expected one time window',
      'Set timeWindow to a list with one entry.',
    );
  }
  const window = windows[0];
  const duration = String(window.duration ?? '');
  if (window.isRolling !== false) {
    return {
      kind: 'rolling',
      seconds: parseDuration(duration, `${file}: ${path}[0].duration`) / 1000,
    };
  }
  const unit = { '1M': 'month', '1w': 'week', '7d': 'week' }[duration] as
    'month' | 'week' | undefined;
  if (!unit) {
    invalid(
      file,
      `${joinPath(path, 0)}.duration`,
      duration,
      'calendar windows must be one week or one month',
      'Use duration 1w or 1M with isRolling: false.',
    );
  }
  const calendar = (window.calendar ?? {}) as Doc;
  const timeZone = String(calendar.timeZone ?? 'UTC');
  if (!isValidTimeZone(timeZone)) {
    invalid(
      file,
      `${joinPath(path, 0)}.calendar.timeZone`,
      timeZone,
      'unknown time zone',
      'Use an IANA time zone name such as UTC.',
    );
  }
  return { kind: 'calendar', unit, timeZone };
}

function requireString(value: unknown, file: string, path: string): string {
  if (
    typeof value === 'string' &&
    /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/.test(value)
  )
    return value;
  invalid(
    file,
    path,
    value,
    'not a valid name',
    'Use lower-case letters, digits, - and _.',
  );
}

function flattenLabels(labels: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries((labels ?? {}) as Doc)) {
    result[key.replace(/[^a-zA-Z0-9_]/g, '_')] = Array.isArray(value)
      ? value.join(',')
      : String(value);
  }
  return result;
}
