import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BundleRun {
  code: number;
  stdout: string;
  /** Files the run wrote into its output-dir, by name. */
  files: Record<string, string>;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Runs dist/slo-gate/index.js the way the runner does: inputs as INPUT_*
 * variables, outputs and summary through GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files. Unset inputs get their action.yml defaults.
 */
export async function runBundle(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<BundleRun> {
  const dir = await mkdtemp(join(tmpdir(), 'slo-bundle-'));
  try {
    const outputFile = join(dir, 'output');
    const summaryFile = join(dir, 'summary');
    const eventFile = join(dir, 'event.json');
    await Promise.all([
      writeFile(outputFile, ''),
      writeFile(summaryFile, ''),
      writeFile(eventFile, '{}'),
    ]);
    const all = { ...DEFAULTS, 'output-dir': join(dir, 'out'), ...inputs };
    const inputEnv = Object.fromEntries(
      Object.entries(all).map(([k, v]) => [
        `INPUT_${k.replace(/ /g, '_').toUpperCase()}`,
        v,
      ]),
    );
    const result = await new Promise<{ code: number; stdout: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          ['dist/slo-gate/index.js'],
          {
            env: {
              PATH: process.env.PATH,
              GITHUB_OUTPUT: outputFile,
              GITHUB_STEP_SUMMARY: summaryFile,
              GITHUB_EVENT_PATH: eventFile,
              GITHUB_EVENT_NAME: 'workflow_dispatch',
              GITHUB_REPOSITORY: 'octo/authz',
              GITHUB_WORKSPACE: process.cwd(),
              GITHUB_RUN_ID: '1',
              ...inputEnv,
              ...env,
            },
          },
          (error, stdout) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      },
    );
    const outDir = all['output-dir'];
    const names = await readdir(outDir).catch(() => [] as string[]);
    const files: Record<string, string> = {};
    for (const name of names)
      files[name] = await readFile(join(outDir, name), 'utf8');
    return {
      ...result,
      files,
      outputs: parseOutputs(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Defaults of actions/slo-gate/action.yml, as the runner passes them. */
const DEFAULTS: Record<string, string> = {
  mode: 'gate',
  'prometheus-url': '',
  'prometheus-token': '',
  'prometheus-username': '',
  'prometheus-password': '',
  timeout: '30s',
  retries: '3',
  'min-events': '100',
  'min-budget-remaining': '0',
  'block-on-page': 'true',
  'block-on-ticket': 'false',
  'on-insufficient-data': 'fail',
  'on-prometheus-error': 'fail',
  'scrape-interval': '1m',
  'use-recording-rules': 'false',
  'evaluation-time': '',
  'slack-webhook-url': '',
  'report-issue': 'false',
  'report-issue-label': 'slo-report',
  'report-issue-title': 'Weekly SLO report',
  'github-token': '',
};

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (let m = pattern.exec(text); m; m = pattern.exec(text))
    outputs[m[1]] = m[3];
  return outputs;
}
