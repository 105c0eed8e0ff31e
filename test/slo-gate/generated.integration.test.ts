import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { dashboardQueries } from '../../src/slo-gate/dashboard.js';
import { GENERATED, regenerate } from './regenerate-templates.js';

const run = promisify(execFile);

async function promtool(args: string[]) {
  return run('promtool', args).catch(
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
}

describe('generated rules and dashboard', () => {
  let dir: string;
  let files: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slo-generated-'));
    files = await regenerate(dir);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('match the committed templates', async () => {
    const committed = (await readdir(GENERATED)).sort();
    assert.deepEqual(
      committed,
      files.map((f) => basename(f)).sort(),
      'Run: npx tsx test/slo-gate/regenerate-templates.ts',
    );
    for (const file of files) {
      const fresh = await readFile(file, 'utf8');
      const committedText = await readFile(
        join(GENERATED, basename(file)),
        'utf8',
      );
      assert.equal(
        committedText,
        fresh,
        `${basename(file)} drifted; run: npx tsx test/slo-gate/regenerate-templates.ts`,
      );
    }
  });

  it('promtool check rules accepts them', async () => {
    const rules = files.filter((f) => f.endsWith('.rules.yml'));
    assert.equal(rules.length, 4);
    const result = await promtool(['check', 'rules', ...rules]);
    assert.match(result.stdout, /SUCCESS/, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /FAILED/);
  });

  it('promtool test rules passes', async () => {
    const tests = files.filter((f) => f.endsWith('.rules.test.yml'));
    const result = await promtool(['test', 'rules', ...tests]);
    assert.equal(
      (result.stdout.match(/SUCCESS/g) ?? []).length,
      4,
      result.stdout + result.stderr,
    );
  });

  it('rule tests fail on a wrong objective', async () => {
    const rules = files.find((f) => f.endsWith('availability.rules.yml'))!;
    const text = await readFile(rules, 'utf8');
    await writeFile(rules, text.replaceAll('(1 - 0.999)', '(1 - 0.99)'));
    const test = rules.replace('.rules.yml', '.rules.test.yml');
    const result = await promtool(['test', 'rules', test]);
    assert.match(result.stdout + result.stderr, /FAILED/);
    await writeFile(rules, text);
  });

  it('every dashboard query parses', async () => {
    const dashboard = JSON.parse(
      await readFile(
        files.find((f) => f.endsWith('.dashboard.json'))!,
        'utf8',
      ),
    );
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length >= 16);
    // promtool parses each expression as a recording rule.
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: queries.map((expr, i) => ({
            record: `dashboard:query:${i}`,
            expr,
          })),
        },
      ],
    };
    const file = join(dir, 'dashboard-queries.yml');
    await writeFile(file, stringify(rules));
    const result = await promtool(['check', 'rules', file]);
    assert.match(
      result.stdout,
      new RegExp(`SUCCESS: ${queries.length} rules found`),
      result.stderr,
    );
  });

  it('alerts cover page, ticket and absent', async () => {
    const rules = parse(
      await readFile(
        files.find((f) => f.endsWith('availability.rules.yml'))!,
        'utf8',
      ),
    );
    const alerts = rules.groups.flatMap(
      (g: { rules: { alert?: string; expr: string }[] }) =>
        g.rules.filter((r) => r.alert),
    );
    assert.deepEqual(
      alerts.map((a: { alert: string }) => a.alert),
      ['SLOBurnRatePage', 'SLOBurnRateTicket', 'SLOMetricsAbsent'],
    );
    assert.match(
      alerts[0].expr,
      /slo:burn_rate:1h\{[^}]*\} > 14\.4 and slo:burn_rate:5m\{[^}]*\} > 14\.4/,
    );
    assert.match(
      alerts[1].expr,
      /slo:burn_rate:3d\{[^}]*\} > 1 and slo:burn_rate:6h\{[^}]*\} > 1\)/,
    );
  });
});
