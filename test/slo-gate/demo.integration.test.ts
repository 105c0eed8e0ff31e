import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Report fields the assertions read. */
interface SloReport {
  id: string;
  verdict: string;
  events: { total: number; bad: number };
  conditions: { severity: string; firing: boolean }[];
}

describe('slo-gate on the demo service', () => {
  it('failing demo fails the gate', async () => {
    // The demo service listens on every interface, so it runs in a network
    // namespace of its own, where only loopback exists (needs root).
    const script =
      'ip link set lo up && exec "$0" --import tsx test/slo-gate/demo-scenario.ts';
    const { stdout } = await run(
      'unshare',
      ['--net', 'sh', '-c', script, process.execPath],
      {
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);

    assert.equal(result.code, 1);
    assert.equal(result.outputs.verdict, 'fail');
    const slos = JSON.parse(result.outputs.report).slos as SloReport[];
    const availability = slos.find((s) => s.id === 'demo/availability')!;
    // 400 requests, 20% of them with status 500. increase() extrapolates to the
    // edges of the few seconds sampled, which adds up to about half.
    const total = availability.events.total;
    assert.ok(total >= 350, String(total));
    assert.ok(total <= 600, String(total));
    const ratio = availability.events.bad / availability.events.total;
    assert.ok(ratio > 0.1, String(ratio));
    assert.ok(ratio < 0.3, String(ratio));
    assert.equal(availability.verdict, 'fail');
    assert.ok(
      availability.conditions.some((c) => c.severity === 'page' && c.firing),
    );
    const latency = slos.find((s) => s.id === 'demo/latency')!;
    assert.equal(latency.verdict, 'pass');
    assert.ok(latency.events.total >= 350, String(latency.events.total));
  });
});
