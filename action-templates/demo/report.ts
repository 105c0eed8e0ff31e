import type { LoadReport } from '../../test/helpers/load.js';

/** The record of one demo step, as the demo prints and returns it. */
export interface StepResult {
  step: string;
  purpose: string;
  exitCode: number;
  /** The action's `result` output, or `none` when it set none. */
  result: string;
  activeColor: string;
  activeImage: string;
  /** Version served through the balancer after the step. */
  servedVersion: string;
  durationMs: number;
  load?: LoadReport;
  /** The action's first error message when it failed. */
  error?: string;
  /** Differences from the step's expectation; empty when it passed. */
  problems: string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Formats the load columns: requests sent, achieved rate, failed count. */
function loadCells(load: LoadReport | undefined): string[] {
  if (!load) return ['-', '-', '-'];
  return [String(load.sent), `${load.rate.toFixed(0)}/s`, String(load.failed)];
}

/** Formats the one line printed after a step. */
export function formatStepLine(
  index: number,
  total: number,
  result: StepResult,
): string {
  const [sent, rate, failed] = loadCells(result.load);
  const verdict = result.problems.length === 0 ? 'ok' : 'UNEXPECTED';
  const line =
    `[${index}/${total}] ${result.step}: ${verdict}, ` +
    `result=${result.result} (exit ${result.exitCode}), ` +
    `active=${result.activeColor || '-'} ${result.activeImage || '-'}, ` +
    `served=${result.servedVersion}, took ${seconds(result.durationMs)}, ` +
    `requests=${sent} at ${rate}, failed=${failed}`;
  const details = result.problems.map((problem) => `    - ${problem}`);
  if (result.error) details.unshift(`    action error: ${result.error}`);
  return [line, ...details].join('\n');
}

/** Formats the closing table as aligned plain-text columns. */
export function formatTable(results: StepResult[]): string {
  const header = [
    'step',
    'result',
    'active',
    'served',
    'took',
    'requests',
    'rate',
    'failed',
    'verdict',
  ];
  const rows = results.map((result) => [
    result.step,
    result.result,
    `${result.activeColor || '-'} ${result.activeImage || '-'}`,
    result.servedVersion,
    seconds(result.durationMs),
    ...loadCells(result.load),
    result.problems.length === 0 ? 'ok' : 'UNEXPECTED',
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [format(header), rule, ...rows.map(format)].join('\n');
}
