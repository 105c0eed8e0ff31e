// Every Dependabot format, run through the bundle with the default policy:
// the dependencies it reports and what it did to the pull request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURES } from './fixtures/pull-requests.js';
import { useFakeGitHub } from './helpers/hooks.js';
import { runAction } from './helpers/run-action.js';
import { seedPull } from './helpers/seed.js';

const github = useFakeGitHub();

/** Default-policy decision per format: patches merge, the rest waits. */
const EXPECTED_DECISION: Record<string, string> = {
  single: 'merge',
  groupInline: 'comment',
  groupTable: 'comment',
  multiDirectory: 'comment',
  multiEcosystem: 'comment',
  requirement: 'comment',
  dockerTag: 'comment',
  dockerDigest: 'merge',
  actionsSha: 'comment',
  leadingV: 'comment',
  prerelease: 'comment',
  zeroMinor: 'comment',
  shortened: 'comment',
  targetBranch: 'merge',
  branchDirectory: 'merge',
};

for (const [name, fixture] of Object.entries(FIXTURES)) {
  test(`bundle triages ${name}`, async () => {
    const fake = github();
    fake.state.requiredChecks = ['test'];
    const { pull, event } = seedPull(fake, fixture);
    const run = await runAction(fake, event);
    assert.equal(run.code, 0, run.log);
    const expected = EXPECTED_DECISION[name];
    assert.equal(run.outputs.decision, expected);
    const merging = expected === 'merge';
    assert.equal(pull.reviews.length, merging ? 1 : 0);
    assert.equal(pull.autoMerge !== null, merging);
    assert.equal(
      fake.state.comments.filter((c) => c.issueNumber === pull.number).length,
      1,
    );
    assert.ok(pull.labels.includes('dependencies'));
    const reported = JSON.parse(run.outputs['dependencies-json']) as Record<
      string,
      unknown
    >[];
    assert.equal(reported.length, fixture.expected.length);
    fixture.expected.forEach((want, i) => {
      for (const [key, value] of Object.entries(want)) {
        assert.equal(reported[i][key], value, `${name} ${i} ${key}`);
      }
    });
    assert.equal(run.outputs['target-branch'], fixture.baseRef ?? 'main');
    assert.deepEqual(fake.violations, []);
  });
}
