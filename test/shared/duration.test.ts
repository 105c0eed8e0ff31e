import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/shared/duration.js';
import { ConfigurationError } from '../../src/shared/errors.js';

test('parseDuration reads each unit', () => {
  assert.equal(parseDuration('500ms', 'x'), 500);
  assert.equal(parseDuration('30s', 'x'), 30_000);
  assert.equal(parseDuration('5m', 'x'), 300_000);
  assert.equal(parseDuration('1h30m', 'x'), 5_400_000);
  assert.equal(parseDuration('30d', 'x'), 2_592_000_000);
  assert.equal(parseDuration('2.5', 'x'), 2500);
});

test('parseDuration rejects text with the name', () => {
  assert.throws(
    () => parseDuration('5 minutes', 'Input "keep"'),
    (error: unknown) =>
      error instanceof ConfigurationError &&
      error.message.includes('Input "keep"') &&
      error.message.includes('"5 minutes"'),
  );
  assert.throws(() => parseDuration('', 'x'), ConfigurationError);
  assert.throws(() => parseDuration('10x', 'x'), ConfigurationError);
});

test('formatDuration picks a readable unit', () => {
  assert.equal(formatDuration(850), '850ms');
  assert.equal(formatDuration(4200), '4.2s');
  assert.equal(formatDuration(185_000), '3m05s');
});
