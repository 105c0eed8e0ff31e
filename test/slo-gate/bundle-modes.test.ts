import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBundle } from './bundle.js';
import { EXAMPLE, GENERATED } from './regenerate-templates.js';

describe('slo-gate bundle modes', () => {
  it('rules mode writes the templates', async () => {
    const run = await runBundle({ mode: 'rules', 'slo-file': EXAMPLE });
    assert.equal(run.code, 0, run.stdout);
    const names = Object.keys(run.files).sort();
    assert.equal(names.length, 8);
    for (const name of names) {
      const committed = await readFile(join(GENERATED, name), 'utf8');
      assert.equal(run.files[name], committed, name);
    }
    assert.equal(run.outputs.files.split('\n').length, 8);
    assert.match(
      run.stdout,
      /Rule tests: authz-api\/throughput: threshold SLIs/,
    );
  });

  it('dashboard mode writes one per service', async () => {
    const run = await runBundle({ mode: 'dashboard', 'slo-file': EXAMPLE });
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(Object.keys(run.files), ['authz-api.dashboard.json']);
    const dashboard = JSON.parse(run.files['authz-api.dashboard.json']);
    assert.equal(dashboard.title, 'SLOs: authz-api');
    assert.equal(dashboard.panels.length, 16);
  });

  it('missing SLO file is a configuration error', async () => {
    const run = await runBundle({ mode: 'rules', 'slo-file': 'no/such.yaml' });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /::error::Configuration error: SLO file no\/such\.yaml could not be read/,
    );
  });

  it('invalid SLO value names path and fix', async () => {
    const run = await runBundle({
      mode: 'rules',
      'slo-file': 'test/slo-gate/fixtures/invalid.slo.yaml',
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /invalid\.slo\.yaml: slos\[0\]\.window: does not match .* \(found "thirty days"\)\. Use a duration such as 30d/,
    );
  });

  it('gate mode needs a Prometheus URL', async () => {
    const run = await runBundle({ 'slo-file': EXAMPLE });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /Input "prometheus-url" is required but was empty/,
    );
  });

  it('bad choice input names the choices', async () => {
    const run = await runBundle({ 'slo-file': EXAMPLE, mode: 'gates' });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /Input "mode" is "gates", which is not one of: gate, rules, dashboard, report/,
    );
  });
});
