import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkTrust } from '../../src/dependabot-triage/trust.js';
import { judgeChecks } from '../../src/dependabot-triage/checks.js';
import {
  compareVersions,
  levelOf,
} from '../../src/dependabot-triage/metadata/versions.js';
import { DEFAULT_POLICY } from '../../src/dependabot-triage/policy/defaults.js';
import {
  decide,
  globMatch,
} from '../../src/dependabot-triage/policy/decide.js';
import { parsePolicy } from '../../src/dependabot-triage/policy/load.js';
import { POLICY_SCHEMA } from '../../src/dependabot-triage/policy/schema.js';
import {
  findAdvisory,
  type AlertRecord,
} from '../../src/dependabot-triage/security.js';
import type { UpdatedDependency } from '../../src/dependabot-triage/types.js';
import { ConfigurationError } from '../../src/shared/errors.js';

function dep(fields: Partial<UpdatedDependency>): UpdatedDependency {
  return {
    name: 'left-pad',
    previousVersion: '1.0.0',
    newVersion: '1.0.1',
    level: 'patch',
    levelSource: 'versions',
    dependencyType: 'direct:production',
    ecosystem: 'npm',
    directory: '/',
    group: '',
    prerelease: false,
    ...fields,
  };
}

test('compareVersions levels', () => {
  const cases: [string, string, string][] = [
    ['1.2.3', '1.2.4', 'patch'],
    ['1.2.3', '1.3.0', 'minor'],
    ['1.2.3', '2.0.0', 'major'],
    ['v2', 'v3', 'major'],
    ['0.4.2', '0.5.0', 'major'],
    ['0.4.2', '0.4.3', 'patch'],
    ['0.0.1', '0.0.2', 'major'],
    ['18-alpine', '20-alpine', 'major'],
    ['3.11-alpine', '3.12-slim', 'unknown'],
    ['2.0.0', '1.9.0', 'unknown'],
    ['1.0.0-rc.1', '1.0.0-rc.2', 'patch'],
    ['9.4-1214.1726694543', '9.4-1214.1729773476', 'patch'],
  ];
  for (const [from, to, level] of cases) {
    assert.equal(compareVersions(from, to), level, `${from} -> ${to}`);
  }
});

test('levelOf ranges and digests', () => {
  assert.equal(levelOf('~=12.5', '~=13.0'), 'major');
  assert.equal(levelOf('>=0.18,<0.20', '>=0.18,<0.21'), 'major');
  assert.equal(levelOf('^1.2.0', '^1.3.0'), 'minor');
  assert.equal(levelOf('3d58c27', '7ca3450'), 'unknown');
  assert.equal(levelOf('', '1.0.0'), 'unknown');
});

test('default policy per update type', () => {
  const run = (d: Partial<UpdatedDependency>) =>
    decide(DEFAULT_POLICY, [{ dependency: dep(d) }], 'squash').action;
  assert.equal(run({ level: 'patch' }), 'merge');
  assert.equal(run({ level: 'minor' }), 'comment');
  assert.equal(
    run({ level: 'minor', dependencyType: 'direct:development' }),
    'merge',
  );
  assert.equal(run({ level: 'major' }), 'comment');
  assert.equal(run({ level: 'unknown' }), 'comment');
  assert.equal(run({ level: 'patch', prerelease: true }), 'comment');
});

test('group takes its most cautious member', () => {
  const decision = decide(
    DEFAULT_POLICY,
    [
      { dependency: dep({ level: 'patch' }) },
      { dependency: dep({ name: 'b', level: 'major' }) },
    ],
    'merge',
  );
  assert.equal(decision.action, 'comment');
  assert.equal(decision.updateType, 'major');
  assert.equal(decision.dependencies[0].action, 'merge');
});

test('unknown never merges even when a rule says merge', () => {
  const policy = parsePolicy('rules:\n  - action: merge\n', 'p.yml');
  const decision = decide(
    policy,
    [{ dependency: dep({ level: 'unknown' }) }],
    'squash',
  );
  assert.equal(decision.action, 'comment');
  assert.match(decision.reasons[0], /unknown never merges/);
});

test('no dependency read means comment', () => {
  assert.equal(decide(DEFAULT_POLICY, [], 'squash').action, 'comment');
});

test('security and severity conditions', () => {
  const policy = parsePolicy(
    'rules:\n  - match: {security: true, min-severity: high}\n    action: merge\n  - action: comment\n',
    'p.yml',
  );
  const advisory = {
    ghsaId: 'GHSA-x',
    cvss: 8,
    severity: 'high' as const,
    alertNumber: 1,
    state: 'open',
  };
  assert.equal(
    decide(
      policy,
      [{ dependency: dep({ level: 'major' }), advisory }],
      'squash',
    ).action,
    'merge',
  );
  assert.equal(
    decide(
      policy,
      [
        {
          dependency: dep({ level: 'major' }),
          advisory: { ...advisory, severity: 'medium' },
        },
      ],
      'squash',
    ).action,
    'comment',
  );
  assert.equal(
    decide(policy, [{ dependency: dep({ level: 'major' }) }], 'squash').action,
    'comment',
  );
});

test('release age condition needs a known age', () => {
  const policy = parsePolicy(
    'rules:\n  - match: {min-release-age: 3d}\n    action: merge\n  - action: comment\n',
    'p.yml',
  );
  const day = 86_400_000;
  assert.equal(
    decide(policy, [{ dependency: dep({}), releaseAgeMs: 4 * day }], 'squash')
      .action,
    'merge',
  );
  assert.equal(
    decide(policy, [{ dependency: dep({}), releaseAgeMs: 2 * day }], 'squash')
      .action,
    'comment',
  );
  assert.equal(
    decide(policy, [{ dependency: dep({}) }], 'squash').action,
    'comment',
  );
});

test('globMatch segments', () => {
  assert.ok(globMatch('@types/*', '@types/node'));
  assert.ok(!globMatch('@types/*', '@types/a/b'));
  assert.ok(globMatch('/services/**', '/services/api/v2'));
  assert.ok(globMatch('eslint*', 'eslint-plugin-x'));
  assert.ok(!globMatch('eslint*', 'typescript-eslint'));
});

test('policy errors name rule, field, value and fix', () => {
  const check = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parsePolicy(text, '.github/p.yml'),
      (e: unknown) =>
        e instanceof ConfigurationError && pattern.test(e.message),
    );
  check(
    'rules:\n  - action: merge\n    match: {ecosystm: npm}\n',
    /rule 1, field "match": unknown field "ecosystm"\. Remove it or fix its spelling; allowed fields: ecosystem,/,
  );
  check(
    'rules:\n  - name: x\n    action: yolo\n',
    /rule 1 \("x"\), field "action" is "yolo"\. Use one of: merge, approve, comment, ignore\./,
  );
  check(
    'rules:\n  - match: {directory: web}\n    action: merge\n',
    /field "match\.directory" is "web"\. A directory starts with "\/"/,
  );
  check(
    'rules:\n  - match: {min-release-age: soon}\n    action: merge\n',
    /"soon"\. Use a duration such as 12h, 3d or 1w\./,
  );
  check(
    'rules:\n  - name: y\n',
    /rule 1 \("y"\): field "action" is missing\. Add it\./,
  );
  check('rules: [', /\.github\/p\.yml is not valid YAML/);
});

test('published schema and example policy', () => {
  const published = JSON.parse(
    readFileSync(
      new URL(
        '../../actions/dependabot-triage/policy.schema.json',
        import.meta.url,
      ),
      'utf8',
    ),
  );
  assert.deepEqual(published, JSON.parse(JSON.stringify(POLICY_SCHEMA)));
  const example = readFileSync(
    new URL(
      '../../action-templates/dependabot-triage/dependabot-triage.yml',
      import.meta.url,
    ),
    'utf8',
  );
  const policy = parsePolicy(example, 'example');
  assert.equal(policy.rules.length, 7);
  assert.equal(policy.rules[2].match.minReleaseAgeMs, 3 * 86_400_000);
});

test('trust checks each condition', () => {
  const commit = {
    sha: 'a'.repeat(40),
    authorLogin: 'dependabot[bot]',
    committerLogin: 'web-flow',
    verified: true,
    reason: 'valid',
  };
  const subject = {
    author: 'dependabot[bot]',
    headRepository: 'o/r',
    baseRepository: 'o/r',
    commits: [commit],
  };
  assert.equal(checkTrust(subject, false).trusted, true);
  assert.equal(checkTrust({ ...subject, commits: [] }, false).trusted, false);
  assert.equal(
    checkTrust({ ...subject, headRepository: undefined }, false).trusted,
    false,
  );
  const unsigned = {
    ...subject,
    commits: [{ ...commit, verified: false, reason: 'unsigned' }],
  };
  assert.equal(checkTrust(unsigned, false).trusted, false);
  assert.equal(checkTrust(unsigned, true).trusted, true);
  const forged = {
    ...subject,
    commits: [{ ...commit, committerLogin: 'mallory' }],
  };
  assert.equal(checkTrust(forged, false).trusted, false);
});

test('judgeChecks excludes its own job', () => {
  const done = (name: string, conclusion: string) => ({
    name,
    status: 'completed',
    conclusion,
  });
  assert.equal(
    judgeChecks({ runs: [], statuses: [] }, 'triage').result,
    'pending',
  );
  assert.equal(
    judgeChecks(
      {
        runs: [{ name: 'triage', status: 'in_progress', conclusion: null }],
        statuses: [],
      },
      'triage',
    ).result,
    'pending',
  );
  assert.equal(
    judgeChecks(
      {
        runs: [
          done('test', 'success'),
          { name: 'deps / triage', status: 'in_progress', conclusion: null },
        ],
        statuses: [],
      },
      'triage',
    ).result,
    'success',
  );
  assert.equal(
    judgeChecks({ runs: [done('test', 'failure')], statuses: [] }, 'triage')
      .result,
    'failure',
  );
  assert.equal(
    judgeChecks(
      {
        runs: [done('test', 'success')],
        statuses: [{ context: 'ci', state: 'pending' }],
      },
      'triage',
    ).result,
    'pending',
  );
});

test('findAdvisory matches package, manifest and fix', () => {
  const alert: AlertRecord = {
    number: 3,
    state: 'open',
    dependency: {
      package: { ecosystem: 'npm', name: 'left-pad' },
      manifest_path: 'web/package-lock.json',
    },
    security_advisory: {
      ghsa_id: 'GHSA-1',
      severity: 'high',
      cvss: { score: 7.1 },
    },
    security_vulnerability: { first_patched_version: { identifier: '1.0.1' } },
  };
  assert.equal(findAdvisory(dep({ directory: '/web' }), [alert])?.cvss, 7.1);
  assert.equal(findAdvisory(dep({ directory: '/' }), [alert]), undefined);
  assert.equal(
    findAdvisory(dep({ directory: '/web', newVersion: '1.0.0' }), [alert]),
    undefined,
  );
  assert.equal(
    findAdvisory(dep({ directory: '/web', ecosystem: 'pip' }), [alert]),
    undefined,
  );
  assert.equal(
    findAdvisory(dep({ directory: '/web' }), [
      { ...alert, state: 'dismissed' },
    ]),
    undefined,
  );
});
