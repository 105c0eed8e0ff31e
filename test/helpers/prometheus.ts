import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** A series to backfill: labels plus [Unix seconds, value] samples. */
export interface BackfillSeries {
  name: string;
  labels: Record<string, string>;
  samples: [number, number][];
}

export interface PrometheusStartOptions {
  /** `host:port` targets scraped as job `targets` (127.0.0.1 only). */
  scrapeTargets?: string[];
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Rule files, copied into the temporary directory. */
  ruleFiles?: string[];
  /** History written into the TSDB with promtool before start. */
  backfill?: BackfillSeries[];
  /** Wait until every scrape target is up (default true). */
  waitForTargets?: boolean;
  /** At least 35d, so backfilled 30-day history is not dropped. */
  retention?: string;
}

export interface PrometheusServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `prometheus` on 127.0.0.1 with a temporary data
 * directory, backfilled through `promtool tsdb create-blocks-from
 * openmetrics`, and waits until it reports ready.
 */
export async function startPrometheus(
  options: PrometheusStartOptions = {},
): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'slo-prometheus-'));
  const dataDir = join(dir, 'data');
  await prepareDirectory(dir, dataDir, options);

  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      `--storage.tsdb.retention.time=${options.retention ?? '40d'}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const server = { url, port, dir, stop: () => stopProcess(child, dir) };
  try {
    await waitReady(url, child, () => log);
    if (options.scrapeTargets?.length && options.waitForTargets !== false) {
      await waitScraped(url);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Writes the configuration and rule files, and backfills the TSDB. */
async function prepareDirectory(
  dir: string,
  dataDir: string,
  options: PrometheusStartOptions,
): Promise<void> {
  const ruleFiles: string[] = [];
  for (const file of options.ruleFiles ?? []) {
    const target = join(dir, basename(file));
    await copyFile(file, target);
    ruleFiles.push(target);
  }
  await writeFile(join(dir, 'prometheus.yml'), config(options, ruleFiles));
  if (options.backfill && options.backfill.length > 0) {
    const input = join(dir, 'backfill.om');
    await writeFile(input, toOpenMetrics(options.backfill));
    const args = ['tsdb', 'create-blocks-from', 'openmetrics', '-q', input];
    await run('promtool', [...args, dataDir], { maxBuffer: 16 * 1024 * 1024 });
  }
}

function config(options: PrometheusStartOptions, ruleFiles: string[]): string {
  const lines = [
    'global:',
    `  scrape_interval: ${options.scrapeInterval ?? '1s'}`,
    `  evaluation_interval: ${options.evaluationInterval ?? '1s'}`,
    `rule_files: ${JSON.stringify(ruleFiles)}`,
    'scrape_configs:',
  ];
  if (options.scrapeTargets?.length) {
    lines.push(
      '  - job_name: targets',
      `    static_configs: [{ targets: ${JSON.stringify(options.scrapeTargets)} }]`,
    );
  } else {
    lines[lines.length - 1] = 'scrape_configs: []';
  }
  return `${lines.join('\n')}\n`;
}

/** Formats series as OpenMetrics text; each metric family stays together. */
export function toOpenMetrics(series: BackfillSeries[]): string {
  const byName = new Map<string, BackfillSeries[]>();
  for (const item of series) {
    byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
  }
  const lines: string[] = [];
  for (const [name, items] of byName) {
    for (const item of items) {
      const labels = Object.entries(item.labels)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(',');
      const prefix = labels ? `${name}{${labels}}` : name;
      for (const [time, value] of item.samples) {
        lines.push(`${prefix} ${value} ${time}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with ${child.exitCode}: ${log()}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus at ${url} was not ready within 30 s: ${log()}`);
}

/**
 * Waits until every target has been scraped once. Prometheus hands new
 * targets to the scrape manager about five seconds after start.
 */
async function waitScraped(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v1/targets`);
    const body = (await response.json()) as {
      data: { activeTargets: { health: string }[] };
    };
    const targets = body.data.activeTargets;
    if (targets.length > 0 && targets.every((t) => t.health === 'up')) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`prometheus at ${url} scraped no target within 30 s`);
}

async function stopProcess(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}
