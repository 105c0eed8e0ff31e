import { parseDuration } from '../shared/duration.js';
import { invalid } from './file-errors.js';
import type { Doc, Located } from './format-openslo.js';
import type { Sli } from './model.js';
import { formatSelector, parseSelector } from './selectors.js';

// OpenSLO SLI specs (ratioMetric, thresholdMetric) and budgeting methods.

const OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** Converts an SLI spec under its SLO's objective and budgeting method. */
export function convertIndicator(
  { doc, path }: Located,
  objective: Doc,
  budgetingMethod: unknown,
  file: string,
  sloPath: string,
): Sli {
  const spec = (doc.spec ?? {}) as Doc;
  const method = budgetingMethod ?? 'Occurrences';
  if (
    !['Occurrences', 'Timeslices', 'RatioTimeslices'].includes(String(method))
  ) {
    invalid(
      file,
      `${sloPath}.budgetingMethod`,
      method,
      'unknown budgeting method',
      'Use Occurrences, Timeslices or RatioTimeslices.',
    );
  }
  const slice = String(objective.timeSliceWindow ?? '1m');
  const sliceSeconds =
    parseDuration(slice, `${file}: ${sloPath}.objectives[0].timeSliceWindow`) /
    1000;
  if (spec.thresholdMetric) {
    const query = metricQuery(
      spec.thresholdMetric,
      file,
      `${path}.spec.thresholdMetric`,
    );
    const op = String(objective.op ?? '');
    if (!(op in OPERATORS)) {
      invalid(
        file,
        `${sloPath}.objectives[0].op`,
        objective.op,
        'thresholdMetric needs an operator',
        'Set op to lt, lte, gt or gte.',
      );
    }
    return {
      kind: 'threshold',
      query,
      operator: OPERATORS[op as keyof typeof OPERATORS],
      value: Number(objective.value),
      sliceSeconds,
    };
  }
  if (!spec.ratioMetric) {
    invalid(
      file,
      `${path}.spec`,
      Object.keys(spec),
      'no ratioMetric or thresholdMetric',
      'Describe the SLI with ratioMetric or thresholdMetric.',
    );
  }
  const ratio = ratioSelectors(
    spec.ratioMetric as Doc,
    file,
    `${path}.spec.ratioMetric`,
  );
  if (method === 'Occurrences') return { kind: 'ratio', ...ratio };
  return sliceRatio(
    ratio,
    method === 'RatioTimeslices',
    objective,
    sliceSeconds,
  );
}

function ratioSelectors(ratio: Doc, file: string, path: string) {
  if (ratio.counter === false) {
    invalid(
      file,
      `${path}.counter`,
      false,
      'gauges cannot be summed over a window',
      'Use counters (counter: true) for ratioMetric.',
    );
  }
  const total = metricQuery(ratio.total, file, `${path}.total`, true);
  if (ratio.good)
    return { good: metricQuery(ratio.good, file, `${path}.good`, true), total };
  if (ratio.bad)
    return { bad: metricQuery(ratio.bad, file, `${path}.bad`, true), total };
  invalid(
    file,
    path,
    Object.keys(ratio),
    'ratioMetric needs good or bad',
    'Add good or bad beside total.',
  );
}

/** Timeslices over a ratio: per slice, good rate over total rate. */
function sliceRatio(
  ratio: { good?: string; bad?: string; total: string },
  meanOfRatio: boolean,
  objective: Doc,
  sliceSeconds: number,
): Sli {
  const window = `${sliceSeconds}s`;
  const total = `sum(rate(${ratio.total}[${window}]))`;
  const good = ratio.good
    ? `sum(rate(${ratio.good}[${window}]))`
    : `(${total} - sum(rate(${ratio.bad}[${window}])))`;
  const query = `${good} / ${total}`;
  const sliceTarget = Number(objective.timeSliceTarget ?? objective.target);
  return {
    kind: 'threshold',
    query,
    operator: '>=',
    value: sliceTarget,
    sliceSeconds,
    meanOfRatio,
  };
}

function metricQuery(
  value: unknown,
  file: string,
  path: string,
  selector = false,
): string {
  const source = ((value as Doc | undefined)?.metricSource ?? {}) as Doc;
  const spec = (source.spec ?? {}) as Doc;
  const query = spec.query ?? spec.promql;
  if (typeof query !== 'string' || query.trim() === '') {
    invalid(
      file,
      `${path}.metricSource.spec.query`,
      query,
      'missing Prometheus query',
      'Set metricSource.spec.query.',
    );
  }
  if (
    source.type !== undefined &&
    String(source.type).toLowerCase() !== 'prometheus'
  ) {
    invalid(
      file,
      `${path}.metricSource.type`,
      source.type,
      'only Prometheus sources are supported',
      'Use type: Prometheus.',
    );
  }
  if (selector && !parseSelector(query)) {
    invalid(
      file,
      `${path}.metricSource.spec.query`,
      query,
      'ratio metrics must be plain counter selectors',
      'Write the selector alone, such as http_requests_total{job="api"}: the gate applies increase() to each series before summing, which keeps counter resets harmless.',
    );
  }
  return selector
    ? formatSelector(parseSelector(query)!.name, [
        parseSelector(query)!.matchers,
      ])
    : query.trim();
}
