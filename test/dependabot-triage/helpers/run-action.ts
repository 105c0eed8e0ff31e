import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { FakeGitHub } from '../../fake-github/index.js';

const BUNDLE = new URL(
  '../../../dist/dependabot-triage/index.js',
  import.meta.url,
).pathname;

const ACTION_YML = new URL(
  '../../../actions/dependabot-triage/action.yml',
  import.meta.url,
).pathname;

/** Values the runner gives the `${{ … }}` defaults of action.yml. */
const EXPRESSIONS: Record<string, string> = {
  '${{ github.token }}': 'ghs_default_token',
  '${{ github.job }}': 'triage',
};

/**
 * Inputs with action.yml's defaults, as the runner passes them, and short
 * check waits so that tests stay fast.
 */
export const DEFAULT_INPUTS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(
      (
        parseYaml(readFileSync(ACTION_YML, 'utf8')) as {
          inputs: Record<string, { default?: string }>;
        }
      ).inputs,
    ).map(([name, spec]) => {
      const value = String(spec.default ?? '');
      return [name, EXPRESSIONS[value] ?? value];
    }),
  ),
  'check-timeout': '3s',
  'check-interval': '200ms',
};

export interface ActionRun {
  code: number;
  outputs: Record<string, string>;
  summary: string;
  log: string;
}

/** Runs the bundle as the runner does: INPUT_*, GITHUB_* and an event file. */
export async function runAction(
  fake: FakeGitHub,
  event: Record<string, unknown>,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'triage-'));
  try {
    const files = {
      event: join(dir, 'event.json'),
      output: join(dir, 'output'),
      summary: join(dir, 'summary.md'),
    };
    writeFileSync(files.event, JSON.stringify(event));
    writeFileSync(files.output, '');
    writeFileSync(files.summary, '');
    const inputEnv = Object.fromEntries(
      Object.entries({ ...DEFAULT_INPUTS, ...inputs }).map(([k, v]) => [
        `INPUT_${k.replace(/ /g, '_').toUpperCase()}`,
        v,
      ]),
    );
    const child = spawn(process.execPath, [BUNDLE], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        npm_config_cache: join(dir, 'npm-cache'),
        npm_config_update_notifier: 'false',
        ...inputEnv,
        GITHUB_EVENT_PATH: files.event,
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_REPOSITORY: fake.state.fullName,
        GITHUB_API_URL: fake.apiUrl,
        GITHUB_GRAPHQL_URL: fake.graphqlUrl,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '4242',
        GITHUB_JOB: 'triage',
        GITHUB_ACTIONS: 'true',
        ...env,
      },
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += String(chunk)));
    child.stderr.on('data', (chunk) => (log += String(chunk)));
    const code = await new Promise<number>((resolve) =>
      child.on('close', (c) => resolve(c ?? 1)),
    );
    return {
      code,
      outputs: parseOutputs(readFileSync(files.output, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
      log,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the runner's GITHUB_OUTPUT file (`name<<DELIMITER` blocks). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]] = match[3];
  return outputs;
}
