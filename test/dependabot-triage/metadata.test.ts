import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMetadata } from '../../src/dependabot-triage/metadata/index.js';
import { FIXTURES } from './fixtures/pull-requests.js';

for (const [name, fixture] of Object.entries(FIXTURES)) {
  test(`readMetadata parses ${name}`, () => {
    const metadata = readMetadata({
      title: fixture.title,
      body: fixture.body,
      commitMessage: fixture.commitMessage,
      branch: fixture.branch,
      baseRef: fixture.baseRef ?? 'main',
      defaultBranch: 'main',
    });
    assert.equal(metadata.dependencies.length, fixture.expected.length);
    fixture.expected.forEach((expected, index) => {
      const actual = metadata.dependencies[index] as unknown as Record<
        string,
        unknown
      >;
      for (const [key, value] of Object.entries(expected)) {
        assert.equal(actual[key], value, `${expected.name ?? index}.${key}`);
      }
    });
  });
}
