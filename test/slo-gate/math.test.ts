import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeNumbers, type SloCounts } from '../../src/slo-gate/math.js';
import type { Slo } from '../../src/slo-gate/model.js';
import { judgeSlo, type GatePolicy } from '../../src/slo-gate/policy.js';
import { BURN_CONDITIONS, burnFactor } from '../../src/slo-gate/windows.js';

const slo = (objective: number): Slo => ({
  service: 'api',
  name: 'availability',
  objective,
  window: { kind: 'rolling', seconds: 30 * 86_400 },
  sli: { kind: 'ratio', bad: 'errors_total', total: 'requests_total' },
  labels: {},
  gate: { enabled: true },
  source: 'test.yaml',
});

const POLICY: GatePolicy = {
  minBudgetRemaining: 0,
  blockOnPage: true,
  blockOnTicket: false,
  minEvents: 100,
  onInsufficientData: 'fail',
  onPrometheusError: 'fail',
};

const MATH = { minEvents: 100, scrapeIntervalSeconds: 15 };
const THIRTY_DAYS = 30 * 86_400;

/** Counts with the same error ratio in every burn window. */
function uniform(
  total: number,
  bad: number,
  sloTotal = total,
  sloBad = bad,
): SloCounts {
  const events = { total, bad };
  return {
    slo: { total: sloTotal, bad: sloBad },
    windows: {
      '5m': events,
      '30m': events,
      '1h': events,
      '2h': events,
      '6h': events,
      '1d': events,
      '3d': events,
    },
  };
}

describe('burn factors', () => {
  it('match the SRE workbook for 30 days', () => {
    const factors = BURN_CONDITIONS.map((c) => burnFactor(c, THIRTY_DAYS));
    assert.deepEqual(factors, [14.4, 6, 3, 1]);
  });

  it('scale with a 28-day window', () => {
    const factors = BURN_CONDITIONS.map((c) => burnFactor(c, 28 * 86_400));
    assert.deepEqual(factors, [13.44, 5.6, 2.8, 0.933333333333]);
  });
});

describe('computeNumbers', () => {
  it('weights the SLI by traffic', () => {
    // One busy hour with 10% errors and a quiet month without errors.
    const numbers = computeNumbers(
      slo(0.999),
      uniform(1000, 0, 1_000_000, 100_000 / 1000),
      THIRTY_DAYS,
      MATH,
    );
    assert.equal(numbers.sli, 1 - 100 / 1_000_000);
    assert.ok(Math.abs(numbers.budgetRemaining! - 0.9) < 1e-12);
  });

  it('zero traffic gives nulls, not NaN', () => {
    const numbers = computeNumbers(
      slo(0.999),
      uniform(0, 0),
      THIRTY_DAYS,
      MATH,
    );
    assert.equal(numbers.sli, null);
    assert.equal(numbers.budgetRemaining, null);
    for (const rate of numbers.burnRates) {
      assert.equal(rate.value, null);
      assert.equal(rate.note, 'no traffic');
    }
    assert.ok(!JSON.stringify(numbers).includes('NaN'));
  });

  it('flags windows shorter than two scrapes', () => {
    const numbers = computeNumbers(slo(0.999), uniform(1000, 1), THIRTY_DAYS, {
      ...MATH,
      scrapeIntervalSeconds: 300,
    });
    const fiveMinutes = numbers.burnRates[0];
    assert.equal(fiveMinutes.value, null);
    assert.match(fiveMinutes.note!, /too short/);
    assert.equal(numbers.burnRates[1].value, 1 / 1000 / (1 - 0.999));
  });

  it('estimates time to exhaustion', () => {
    // Half the budget left, burning at 2: 7.5 of 30 days remain.
    const counts = uniform(1000, 2, 1000, 0.5);
    const numbers = computeNumbers(slo(0.999), counts, THIRTY_DAYS, MATH);
    assert.ok(Math.abs(numbers.timeToExhaustionSeconds! - 7.5 * 86_400) < 1);
  });

  it('keeps unreachable factors and warns', () => {
    const numbers = computeNumbers(
      slo(0.9),
      uniform(1000, 1000),
      THIRTY_DAYS,
      MATH,
    );
    const fastest = numbers.conditions[0];
    assert.equal(fastest.factor, 14.4);
    assert.equal(fastest.reachable, false);
    assert.equal(fastest.firing, false);
    assert.equal(numbers.conditions[1].firing, true);
    assert.match(numbers.warnings[0], /cannot fire: it needs 144% bad events/);
  });
});

describe('judgeSlo', () => {
  const judge = (
    counts: SloCounts,
    policy: Partial<GatePolicy> = {},
    target = slo(0.999),
  ) =>
    judgeSlo(target, computeNumbers(target, counts, THIRTY_DAYS, MATH), {
      ...POLICY,
      ...policy,
    });

  it('passes a healthy SLO', () => {
    assert.equal(judge(uniform(10_000, 0)).verdict, 'pass');
  });

  it('insufficient data below the minimum', () => {
    const result = judge(uniform(50, 1));
    assert.equal(result.verdict, 'insufficient-data');
    assert.match(result.reasons[0], /fewer than the minimum of 100/);
  });

  it('no series is misconfiguration', () => {
    const result = judge({ windows: {} });
    assert.equal(result.verdict, 'fail');
    assert.match(result.reasons[0], /probably misconfigured/);
  });

  it('fails below the budget minimum', () => {
    const counts = uniform(10_000, 0, 10_000, 5);
    assert.equal(judge(counts).verdict, 'pass');
    const result = judge(counts, { minBudgetRemaining: 0.6 });
    assert.equal(result.verdict, 'fail');
    assert.match(result.reasons[0], /50% is below the minimum of 60%/);
  });

  it('page burn blocks unless disabled', () => {
    const counts = uniform(10_000, 5000, 100_000_000, 5000);
    assert.equal(judge(counts).verdict, 'fail');
    const lenient = {
      ...slo(0.999),
      gate: { enabled: true, blockOnPage: false },
    };
    assert.equal(judge(counts, {}, lenient).verdict, 'pass');
  });

  it('ticket burn blocks when asked', () => {
    // Burn rate 2: above the 3-day factor of 1 only.
    const counts = uniform(100_000, 200, 10_000_000, 200);
    const result = judge(counts);
    assert.equal(result.verdict, 'pass');
    assert.equal(judge(counts, { blockOnTicket: true }).verdict, 'fail');
  });
});
