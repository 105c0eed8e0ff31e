import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/shared/errors.js';
import { loadSloFiles, parseSloText } from '../../src/slo-gate/load.js';

const TEMPLATES = 'action-templates/slo-gate';

const native = (sli: string, extra = '') => `
apiVersion: slo-gate/v1
service: api
slos:
  - name: availability
    objective: 99.9
    window: 30d${extra}
    sli:
${sli}
`;

const RATIO = `      ratio:
        bad: http_requests_total{job="api",code=~"5.."}
        total: http_requests_total{job="api"}`;

function rejects(text: string, pattern: RegExp) {
  assert.throws(
    () => parseSloText(text, 'slo.yaml'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('slo-gate/v1 files', () => {
  it('reads a ratio SLO', () => {
    const [slo] = parseSloText(native(RATIO), 'slo.yaml');
    assert.equal(slo.objective, 0.999);
    assert.deepEqual(slo.window, { kind: 'rolling', seconds: 2_592_000 });
    assert.equal(slo.sli.kind, 'ratio');
  });

  it('turns latency into a bucket ratio', () => {
    const latency = `      latency:
        histogram: http_request_duration_seconds{job="api"}
        threshold: 0.2`;
    const [slo] = parseSloText(native(latency), 'slo.yaml');
    assert.equal(slo.sli.kind, 'ratio');
    if (slo.sli.kind !== 'ratio') return;
    assert.equal(
      slo.sli.good,
      'http_request_duration_seconds_bucket{job="api",le="0.2"}',
    );
    assert.equal(
      slo.sli.total,
      'http_request_duration_seconds_count{job="api"}',
    );
  });

  it('error names file, path, value and fix', () => {
    rejects(
      native(RATIO).replace('objective: 99.9', 'objective: 120'),
      /^slo\.yaml: slos\[0\]\.objective: must be < 100 \(found 120\)\. Write the target as a percentage/,
    );
  });

  it('rejects a function as selector', () => {
    rejects(
      native(
        RATIO.replace(
          'total: http_requests_total{job="api"}',
          'total: sum(rate(http_requests_total[5m]))',
        ),
      ),
      /slos\[0\]\.sli\.ratio\.total: does not match .* \(found "sum\(rate/,
    );
  });

  it('rejects an unknown field', () => {
    rejects(
      native(RATIO, '\n    objectve: 99'),
      /slos\[0\]: unknown field "objectve"/,
    );
  });

  it('rejects an unknown time zone', () => {
    const text = native(RATIO).replace(
      'window: 30d',
      'window: { calendar: month, timeZone: Mars/Olympus }',
    );
    rejects(
      text,
      /slos\[0\]\.window\.timeZone: unknown time zone \(found "Mars\/Olympus"\)/,
    );
  });

  it('rejects an unknown format', () => {
    rejects('kind: Something\n', /unknown SLO format/);
  });
});

describe('OpenSLO and Sloth files', () => {
  it('three formats agree on the example', async () => {
    const [own, openslo, sloth] = await Promise.all(
      [
        'authz-api.slo.yaml',
        'authz-api.openslo.yaml',
        'authz-api.sloth.yaml',
      ].map((file) => loadSloFiles([`${TEMPLATES}/${file}`])),
    );
    const availability = (list: typeof own) =>
      list.find((slo) => slo.name === 'availability')!;
    assert.deepEqual(availability(openslo).sli, availability(own).sli);
    assert.deepEqual(availability(sloth).sli, availability(own).sli);
    const latency = (list: typeof own) =>
      list.find((slo) => slo.name === 'decision-latency')!;
    const { latency: _, ...ownLatency } = latency(own).sli as {
      latency?: unknown;
    };
    assert.deepEqual(latency(sloth).sli, ownLatency);
    assert.deepEqual(latency(openslo).sli, ownLatency);
    assert.equal(availability(openslo).objective, 0.999);
    assert.equal(availability(sloth).objective, 0.999);
    const throughput = openslo.find((slo) => slo.name === 'throughput')!;
    assert.deepEqual(throughput.window, {
      kind: 'calendar',
      unit: 'month',
      timeZone: 'Europe/Berlin',
    });
    assert.equal(throughput.sli.kind, 'threshold');
  });

  it('OpenSLO timeslices over a ratio', () => {
    const text = `
apiVersion: openslo/v1
kind: SLO
metadata: { name: availability }
spec:
  service: api
  budgetingMethod: RatioTimeslices
  timeWindow: [{ duration: 7d, isRolling: true }]
  objectives: [{ target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m }]
  indicator:
    metadata: { name: ok-ratio }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'ok_total{job="api"}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'all_total{job="api"}' } } }
`;
    const [slo] = parseSloText(text, 'openslo.yaml');
    assert.equal(slo.sli.kind, 'threshold');
    if (slo.sli.kind !== 'threshold') return;
    assert.equal(slo.sli.meanOfRatio, true);
    assert.equal(slo.sli.sliceSeconds, 300);
    assert.match(slo.sli.query, /sum\(rate\(ok_total\{job="api"\}\[300s\]\)\)/);
  });

  it('OpenSLO ratio needs a plain selector', () => {
    const text = `
apiVersion: openslo/v1
kind: SLO
metadata: { name: availability }
spec:
  service: api
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives: [{ target: 0.999 }]
  indicator:
    metadata: { name: x }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { spec: { query: 'sum(rate(errors_total[5m]))' } } }
        total: { metricSource: { spec: { query: 'requests_total' } } }
`;
    rejects(
      text.replace('slo.yaml', ''),
      /document 1\.spec\.indicator\.spec\.ratioMetric\.bad\.metricSource\.spec\.query: ratio metrics must be plain counter selectors/,
    );
  });

  it('Sloth raw ratio is rejected', () => {
    const text = `
version: prometheus/v1
service: api
slos:
  - name: availability
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(errors[{{.window}}])) / sum(rate(all[{{.window}}]))
`;
    rejects(
      text,
      /slos\[0\]\.sli\.raw: a raw error ratio cannot be weighted by traffic/,
    );
  });
});
