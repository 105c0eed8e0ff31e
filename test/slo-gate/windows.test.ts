import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GateReport } from '../../src/slo-gate/gate.js';
import { renderGateSummary } from '../../src/slo-gate/gate-summary.js';
import {
  calendarPeriod,
  previousCalendarPeriod,
  promDuration,
  windowLengthSeconds,
} from '../../src/slo-gate/windows.js';

const berlin = { kind: 'calendar', timeZone: 'Europe/Berlin' } as const;

describe('calendar windows', () => {
  it('month starts at local midnight', () => {
    const { start, end } = calendarPeriod(
      { ...berlin, unit: 'month' },
      new Date('2026-11-20T12:00:00Z'),
    );
    assert.equal(start.toISOString(), '2026-10-31T23:00:00.000Z');
    assert.equal(end.toISOString(), '2026-11-30T23:00:00.000Z');
  });

  it('month across daylight saving has its real length', () => {
    // October 2026 in Berlin ends on CET after starting on CEST: 31 days and one hour.
    const october = windowLengthSeconds(
      { ...berlin, unit: 'month' },
      new Date('2026-10-15T00:00:00Z'),
    );
    assert.equal(october, 31 * 86_400 + 3600);
  });

  it('week starts on Monday', () => {
    const at = new Date('2026-11-20T12:00:00Z');
    const week = calendarPeriod(
      { kind: 'calendar', unit: 'week', timeZone: 'UTC' },
      at,
    );
    assert.equal(week.start.toISOString(), '2026-11-16T00:00:00.000Z');
    const last = previousCalendarPeriod(
      { kind: 'calendar', unit: 'week', timeZone: 'UTC' },
      at,
    );
    assert.equal(last.start.toISOString(), '2026-11-09T00:00:00.000Z');
    assert.equal(last.end.toISOString(), '2026-11-16T00:00:00.000Z');
  });

  it('Sunday belongs to the week before', () => {
    const sunday = new Date('2026-11-22T20:00:00Z');
    const week = calendarPeriod(
      { kind: 'calendar', unit: 'week', timeZone: 'UTC' },
      sunday,
    );
    assert.equal(week.start.toISOString(), '2026-11-16T00:00:00.000Z');
  });

  it('PromQL durations stay whole', () => {
    assert.equal(promDuration(30 * 86_400), '30d');
    assert.equal(promDuration(5400), '90m');
    assert.equal(promDuration(45), '45s');
  });
});

describe('gate summary', () => {
  const report: GateReport = {
    verdict: 'fail',
    failJob: true,
    message: 'SLO gate failed: 0 passed, 1 failed, 0 with insufficient data.',
    evaluatedAt: '2026-11-20T12:00:00.000Z',
    prometheusReachable: true,
    slos: [
      {
        id: 'api/availability',
        service: 'api',
        name: 'availability',
        objective: 0.999,
        window: '30d rolling',
        verdict: 'fail',
        gated: true,
        reasons: ['The page burn condition fires.'],
        warnings: ['Burn rate over 5m is not computed: too short.'],
        events: { total: 100_000, bad: 150 },
        sli: 0.9985,
        budgetRemaining: -0.5,
        burnRates: [
          { window: '5m', value: null, total: 0, note: 'too short' },
          { window: '30m', value: 20, total: 100 },
          { window: '1h', value: 15.5, total: 100 },
          { window: '2h', value: 4, total: 100 },
          { window: '6h', value: 1.5, total: 100 },
          { window: '1d', value: 1.2, total: 100 },
          { window: '3d', value: 1.1, total: 100 },
        ],
        conditions: [],
        timeToExhaustionSeconds: 0,
      },
    ],
  };

  it('has one row per SLO with every number', () => {
    const markdown = renderGateSummary(report);
    assert.match(
      markdown,
      /\| api\/availability \| 99\.9% \| 30d rolling \| 99\.85% \| -50% \| too short \| 20\.0 \| 15\.5 \| 4\.00 \| 1\.50 \| 1\.20 \| 1\.10 \| exhausted \| ❌ fail \| The page burn condition fires\. \|/,
    );
  });

  it('charts the budget beside a table', () => {
    const markdown = renderGateSummary(report);
    assert.match(markdown, /```mermaid\nxychart-beta\n/);
    assert.match(markdown, /y-axis "percent" -50 --> 100/);
    assert.match(markdown, /bar \[-50\]/);
    assert.match(markdown, /\| api\/availability \| -50% \| 100000 \| 150 \|/);
    assert.match(
      markdown,
      /### Warnings\n\n- api\/availability: Burn rate over 5m/,
    );
  });
});
