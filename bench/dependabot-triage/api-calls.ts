// Counts the GitHub API requests of one triage, run as the runner runs the
// bundle, against the fake GitHub on 127.0.0.1:
//
//   node --import tsx bench/dependabot-triage/api-calls.ts
//
// and compares them with the chain a team assembles from
// dependabot/fetch-metadata (with alert-lookup) plus an approve step and an
// auto-merge step.
import {
  startFakeGitHub,
  type FakeGitHub,
} from '../../test/fake-github/index.js';
import {
  FIXTURES,
  type PullRequestFixture,
} from '../../test/dependabot-triage/fixtures/pull-requests.js';
import { runAction } from '../../test/dependabot-triage/helpers/run-action.js';
import { seedPull } from '../../test/dependabot-triage/helpers/seed.js';
import { FakeState } from '../../test/fake-github/state.js';

/** Builds a grouped update of `count` patch bumps in Dependabot's table format. */
function groupOf(count: number): PullRequestFixture {
  const names = Array.from({ length: count }, (_, i) => `pkg-${i}`);
  const rows = names.map(
    (n) =>
      `| [${n}](https://github.com/example-org/${n}) | \`1.0.${0}\` | \`1.0.1\` |`,
  );
  const yaml = names.flatMap((n) => [
    `- dependency-name: ${n}`,
    '  dependency-type: direct:production',
    '  update-type: version-update:semver-patch',
    '  dependency-group: npm',
  ]);
  const message = [
    `Bump the npm group with ${count} updates`,
    '',
    `Bumps the npm group with ${count} updates in the / directory:`,
    '',
    '| Package | From | To |',
    '| --- | --- | --- |',
    ...rows,
    '',
    ...names.map((n) => `Updates \`${n}\` from 1.0.0 to 1.0.1`),
    '',
    '---',
    'updated-dependencies:',
    ...yaml,
    '...',
    '',
  ].join('\n');
  return {
    title: `Bump the npm group with ${count} updates`,
    body: '',
    commitMessage: message,
    branch: 'dependabot/npm_and_yarn/npm-1a2b3c',
    expected: [],
  };
}

interface Scenario {
  name: string;
  fixture: PullRequestFixture;
  dependencies: number;
  setup?: (fake: FakeGitHub) => void;
}

const SCENARIOS: Scenario[] = [
  { name: 'single update', fixture: FIXTURES.single, dependencies: 1 },
  { name: 'group of ten', fixture: groupOf(10), dependencies: 10 },
  {
    name: 'security update',
    fixture: FIXTURES.single,
    dependencies: 1,
    setup: (fake) => {
      fake.state.alerts = [
        {
          number: 1,
          state: 'open',
          ecosystem: 'npm',
          packageName: 'widget-core',
          manifestPath: 'package-lock.json',
          ghsaId: 'GHSA-xxxx-yyyy-zzzz',
          severity: 'high',
          cvss: 7.5,
          vulnerableRange: '< 4.17.21',
          firstPatched: '4.17.21',
        },
      ];
    },
  },
];

/**
 * Returns the requests of the fetch-metadata chain, counted from its
 * source: one listCommits and one GraphQL alert query per dependency with
 * alert-lookup. The approve and auto-merge steps (`gh pr review --approve`,
 * `gh pr merge --auto`) add at least one request each. gh also looks the
 * pull request up first, so the result is a lower bound.
 */
function chainCalls(dependencies: number): number {
  return 1 + dependencies + 1 + 1;
}

async function main() {
  const fake = await startFakeGitHub();
  const rows: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      Object.assign(fake.state, new FakeState());
      fake.requests.length = 0;
      fake.state.requiredChecks = ['test'];
      scenario.setup?.(fake);
      const { event } = seedPull(fake, scenario.fixture);
      const run = await runAction(fake, event);
      if (run.code !== 0) throw new Error(run.log);
      const byOperation = new Map<string, number>();
      for (const r of fake.requests)
        byOperation.set(
          r.operationId,
          (byOperation.get(r.operationId) ?? 0) + 1,
        );
      const detail = [...byOperation].map(([op, n]) => `${op} ${n}`).join(', ');
      rows.push(
        `| ${scenario.name} | ${run.outputs.decision} | ${fake.requests.length} | ${chainCalls(scenario.dependencies)} | ${detail} |`,
      );
    }
  } finally {
    await fake.stop();
  }
  console.log(
    '| scenario | decision | triage requests | fetch-metadata chain (lower bound) | triage requests by operation |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

await main();
