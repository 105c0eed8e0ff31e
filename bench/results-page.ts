import {
  medianAndWorst,
  type Failures,
  type RollbackMetrics,
  type SwitchMetrics,
} from './switch-metrics.js';

/** Everything one benchmark run measured, with the machine it ran on. */
export interface BenchResults {
  date: string;
  rate: number;
  runs: number;
  machine: {
    cores: number;
    node: string;
    docker: string;
    compose: string;
    haproxy: string;
    nginx: string;
  };
  /** Commit of the run, and whether dist/blue-green-deploy differed from it. */
  bundle: string;
  /** Switch runs per case, in the order the page lists them. */
  switches: Record<string, SwitchMetrics[]>;
  /** Rollback runs per balancer. */
  rollbacks: Record<string, RollbackMetrics[]>;
}

const ms = (value: number) => `${Math.round(value)}`;
const seconds = (value: number) => (value / 1000).toFixed(2);

/** Formats "median / worst" of one number across runs. */
function spread(values: number[], format: (value: number) => string): string {
  const { median, worst } = medianAndWorst(values);
  return `${format(median)} / ${format(worst)}`;
}

/** Formats failures by kind, such as "512 ECONNREFUSED, 3 x 503". */
export function describeFailures(failures: Failures): string {
  const parts: string[] = [];
  for (const [code, count] of Object.entries(failures.connectionCodes)) {
    parts.push(`${count} ${code}`);
  }
  for (const [code, count] of Object.entries(failures.byStatus)) {
    parts.push(`${count} x ${code}`);
  }
  if (failures.slow > 0) parts.push(`${failures.slow} slow`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function switchTable(switches: Record<string, SwitchMetrics[]>): string[] {
  const lines = [
    row([
      'case',
      'failed',
      'failed by kind (per run)',
      'gap ms',
      'overlap ms',
      'failure span ms',
      'total s',
      'rate req/s (min)',
    ]),
    row(['---', '---:', '---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const [name, runs] of Object.entries(switches)) {
    lines.push(
      row([
        name,
        spread(
          runs.map((run) => run.failures.total),
          String,
        ),
        runs.map((run) => describeFailures(run.failures)).join('; '),
        spread(
          runs.map((run) => run.gapMs),
          ms,
        ),
        spread(
          runs.map((run) => run.overlapMs),
          ms,
        ),
        spread(
          runs.map((run) => run.failureSpanMs),
          ms,
        ),
        spread(
          runs.map((run) => run.totalMs),
          seconds,
        ),
        Math.min(...runs.map((run) => run.rate)).toFixed(0),
      ]),
    );
  }
  return lines;
}

function rollbackTable(rollbacks: Record<string, RollbackMetrics[]>): string[] {
  const lines = [
    row([
      'balancer',
      'action wall time s',
      'traffic fully back s',
      'failed',
      'rate req/s (min)',
    ]),
    row(['---', '---:', '---:', '---:', '---:']),
  ];
  for (const [name, runs] of Object.entries(rollbacks)) {
    lines.push(
      row([
        name,
        spread(
          runs.map((run) => run.actionMs),
          seconds,
        ),
        spread(
          runs.map((run) => run.fullyBackMs),
          seconds,
        ),
        spread(
          runs.map((run) => run.failures.total),
          String,
        ),
        Math.min(...runs.map((run) => run.rate)).toFixed(0),
      ]),
    );
  }
  return lines;
}

/** Renders the results page in Markdown. */
export function renderResults(results: BenchResults): string {
  const { machine } = results;
  return [
    '# Benchmark: switching versions under load',
    '',
    'Failed requests while a service moves from v1 to v2 under steady load:',
    'the stop-then-start that `docker-compose up -d` performs when the image',
    'changes, against blue-green-deploy through HAProxy and through nginx.',
    'Rollback times are measured for each balancer.',
    '',
    'Reproduce, as root with dockerd running and dist/ built',
    '(`bash .ci/setup && npm run build` does both):',
    '',
    '```sh',
    'npx tsx bench/blue-green-switch.ts',
    '```',
    '',
    `Run on ${results.date}: ${machine.cores} cores, Docker ${machine.docker},`,
    `docker-compose ${machine.compose}, HAProxy ${machine.haproxy},`,
    `nginx ${machine.nginx}, Node.js ${machine.node}; bundle: ${results.bundle}.`,
    '',
    '## Method',
    '',
    `- Load: ${results.rate} requests per second at a fixed rate from one`,
    '  Node.js process on 127.0.0.1 (keep-alive, up to 64 sockets), from 0.5 s',
    '  before the switch until 1 s after it ends. A request fails on a status',
    '  other than 2xx, a connection error or a response slower than 2 s.',
    '- Service: the demo service (`action-templates/demo/service`), which',
    '  opens its port 3 s after start and drains on SIGTERM; images',
    '  `resilience-demo:v1` and `:v2` tag each response with `x-version`.',
    '- Naive case: one Compose service publishing 127.0.0.1:PORT; the load',
    '  goes straight to that port. The switch is `docker-compose up -d` with',
    '  the v2 image, and it ends when v2 responds.',
    '- Blue-green cases: `node dist/blue-green-deploy/index.js` run the way',
    '  the runner runs it, with 3 health probes 250 ms apart; the load goes',
    '  through the balancer. The switch is one deploy of v2, and it ends when',
    '  the action exits.',
    `- Each case runs ${results.runs} times; cells show median / worst.`,
    '',
    'Columns, all by request send time:',
    '',
    '- gap: last v1 response to first v2 response, when positive (no',
    '  version responded in between). The load sends its requests in batches every',
    '  20 ms, so a gap of about 20 ms is one batch to the next, not downtime.',
    '- overlap: first v2 response to last v1 response, when positive',
    '  (both versions responded in between).',
    '- failure span: first failed request to last failed request. It can',
    '  exceed the gap, because a draining container still serves requests on',
    '  connections that were open before SIGTERM while new connections fail.',
    '- total: wall time of the switch command, as defined above.',
    '- rollback action wall time: the action in mode rollback, node start-up',
    '  included; traffic fully back: from the action start to the last',
    '  response from v2.',
    '',
    '## Switch from v1 to v2',
    '',
    ...switchTable(results.switches),
    '',
    '## Rollback from v2 to v1',
    '',
    ...rollbackTable(results.rollbacks),
    '',
  ].join('\n');
}
