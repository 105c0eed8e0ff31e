import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs a bundled action the way the runner does: `node dist/<name>/index.js`
 * with INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and an event
 * file. Returns its exit code, outputs and job summary.
 */
export async function runBundledAction(
  name: string,
  inputs: Record<string, string>,
  options: ActionOptions = {},
): Promise<ActionRun> {
  return (await startBundledAction(name, inputs, options)).done;
}

export interface ActionOptions {
  env?: Record<string, string>;
  event?: unknown;
  timeoutMs?: number;
}

/**
 * Starts a bundled action and returns its process at once, so a test can
 * act while it runs (or kill it); `done` resolves when it exits.
 */
export async function startBundledAction(
  name: string,
  inputs: Record<string, string>,
  options: ActionOptions = {},
): Promise<{ child: ChildProcess; done: Promise<ActionRun> }> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-run-`));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  const eventFile = join(dir, 'event.json');
  const stateFile = join(dir, 'state');
  await writeFile(stateFile, '');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  await writeFile(eventFile, JSON.stringify(options.event ?? {}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STATE: stateFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: 'octo-org/demo-service',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'http://127.0.0.1:9',
    RUNNER_TEMP: dir,
    ...options.env,
  };
  // The runner fills in the defaults that action.yml declares.
  const metadata = parse(
    await readFile(join(root, 'actions', name, 'action.yml'), 'utf8'),
  ) as { inputs?: Record<string, { default?: string }> };
  const withDefaults: Record<string, string> = {};
  for (const [key, input] of Object.entries(metadata.inputs ?? {})) {
    if (input.default !== undefined) withDefaults[key] = String(input.default);
  }
  Object.assign(withDefaults, inputs);
  for (const [key, value] of Object.entries(withDefaults)) {
    env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'dist', name, 'index.js')],
    { env, cwd: root },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(
    () => child.kill('SIGKILL'),
    options.timeoutMs ?? 120_000,
  );
  const done = new Promise<number>((resolve) =>
    child.on('close', (code) => resolve(code ?? -1)),
  ).then(async (exitCode) => {
    clearTimeout(timer);
    const run = {
      exitCode,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8'),
      stdout,
      stderr,
      durationMs: performance.now() - started,
    };
    await rm(dir, { recursive: true, force: true });
    return run;
  });
  return { child, done };
}

/** Parses the `name<<delimiter` blocks that @actions/core writes. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!match) continue;
    const end = lines.indexOf(match[2], i + 1);
    outputs[match[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}
