import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

interface ActionYaml {
  runs: { using: string; main: string };
  inputs: Record<
    string,
    { description: string; default?: string; required?: boolean }
  >;
  outputs: Record<string, { description: string }>;
}

const action = parse(
  await readFile('actions/slo-gate/action.yml', 'utf8'),
) as ActionYaml;
const readme = await readFile('actions/slo-gate/README.md', 'utf8');

/** Returns the rows of the README table under `heading`. */
function tableRows(heading: string): string[][] {
  const section = readme.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim()),
    );
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('slo-gate action metadata', () => {
  it('validates against the action schema', async () => {
    const schema = JSON.parse(
      await readFile('test/fixtures/schemas/github-action.json', 'utf8'),
    );
    const validate = new Ajv({ strict: false }).compile(schema);
    assert.ok(validate(action), JSON.stringify(validate.errors));
    assert.equal(action.runs.using, 'node24');
    assert.equal(action.runs.main, '../../dist/slo-gate/index.js');
  });

  it('README inputs table matches action.yml', () => {
    const rows = tableRows('Inputs');
    assert.deepEqual(
      rows.map((r) => r[0]),
      Object.keys(action.inputs).map((k) => `\`${k}\``),
    );
    for (const [name, input] of Object.entries(action.inputs)) {
      const row = rows.find((r) => r[0] === `\`${name}\``)!;
      const expected = input.required
        ? '(required)'
        : input.default
          ? `\`${input.default}\``
          : '';
      assert.equal(row[1], expected, `default of ${name}`);
      assert.equal(row[2], squash(input.description), `description of ${name}`);
    }
  });

  it('README outputs table matches action.yml', () => {
    const rows = tableRows('Outputs');
    assert.deepEqual(
      rows.map((r) => r[0]),
      Object.keys(action.outputs).map((k) => `\`${k}\``),
    );
    for (const [name, output] of Object.entries(action.outputs)) {
      const row = rows.find((r) => r[0] === `\`${name}\``)!;
      assert.equal(
        row[1],
        squash(output.description),
        `description of ${name}`,
      );
    }
  });

  it('every input has a description', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      assert.ok(input.description.length > 10, name);
    }
  });
});
