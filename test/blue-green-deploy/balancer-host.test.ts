import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  localHost,
  parseProcStat,
} from '../../src/blue-green-deploy/routers/balancer-host.js';

test('parseProcStat reads parents past spaces', () => {
  const text = [
    '101 (nginx) S 1 101 101 0 -1',
    '102 (nginx: worker process) S 101 101 101 0 -1',
    '103 (weird ) name) S 101 101 101 0 -1',
  ].join('\n');
  assert.deepEqual(parseProcStat(text), [
    { pid: 101, ppid: 1 },
    { pid: 102, ppid: 101 },
    { pid: 103, ppid: 101 },
  ]);
});

test('localHost finds its own child', async () => {
  const parent = process.ppid;
  assert.ok((await localHost.childPids(parent)).includes(process.pid));
});

test('localHost writes atomically and reads back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'host-'));
  const file = join(dir, 'upstream.conf');
  assert.equal(await localHost.readFile(file), undefined);
  await localHost.writeFile(file, 'upstream web {}\n');
  assert.equal(await readFile(file, 'utf8'), 'upstream web {}\n');
  assert.deepEqual(await readdir(dir), ['upstream.conf']);
});

test('localHost reports a failed command', async () => {
  await assert.rejects(
    localHost.run(['sh', '-c', 'echo broken >&2; exit 3']),
    /broken/,
  );
});
