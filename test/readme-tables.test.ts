import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, '.ci', 'readme-tables.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'readme-tables-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const generate = (...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

/** actions/<name>/README.md files that contain table markers. */
function markedReadmes(): string[] {
  const actions = join(root, 'actions');
  return readdirSync(actions)
    .map((name) => join('actions', name, 'README.md'))
    .filter((path) => existsSync(join(root, path)))
    .filter((path) =>
      /<!-- (inputs|outputs):start -->/.test(
        readFileSync(join(root, path), 'utf8'),
      ),
    );
}

/** Writes a one-action repository under the scratch directory. */
function fixture(name: string, readme: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'actions', 'sample'), { recursive: true });
  writeFileSync(
    join(dir, 'actions', 'sample', 'action.yml'),
    [
      'name: sample',
      'inputs:',
      '  service:',
      "    description: 'Names <service>-blue | the container.'",
      '    required: true',
      '  rule:',
      "    description: 'Router rule.'",
      "    default: 'PathPrefix(`/`)'",
      'outputs:',
      '  result:',
      "    description: 'deployed or failed.'",
      'runs:',
      "  using: 'node24'",
      "  main: 'index.js'",
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'actions', 'sample', 'README.md'), readme);
  return dir;
}

const MARKED = [
  '# sample',
  '',
  '<!-- inputs:start -->',
  '| Input | old |',
  '<!-- inputs:end -->',
  '',
  'Text between the tables.',
  '',
  '<!-- outputs:start -->',
  '<!-- outputs:end -->',
  '',
].join('\n');

test('action README tables match action.yml', () => {
  const readmes = markedReadmes();
  assert.ok(
    readmes.includes(join('actions', 'blue-green-deploy', 'README.md')),
    `marked READMEs: ${readmes.join(', ')}`,
  );
  const check = generate('--check');
  for (const readme of readmes) {
    assert.ok(!check.stderr.includes(readme), check.stderr);
  }
  assert.equal(check.status, 0, check.stderr);
});

test('stale table fails the check', () => {
  const dir = fixture('stale', MARKED);
  const check = generate('--check', '--root', dir);
  assert.equal(check.status, 1);
  assert.match(check.stderr, /actions\/sample\/README\.md: the tables differ/);
  assert.match(check.stderr, /^- \| Input \| old \|$/m);
  assert.match(check.stderr, /^\+ \| `result` \| deployed or failed\. \|$/m);
});

test('generator rewrites stale tables', () => {
  const dir = fixture('rewrite', MARKED);
  const write = generate('--root', dir);
  assert.equal(write.status, 0, write.stderr);
  const text = readFileSync(join(dir, 'actions/sample/README.md'), 'utf8');
  assert.ok(text.startsWith('# sample\n\n<!-- inputs:start -->\n\n| Input |'));
  assert.match(text, /\nText between the tables\.\n/);
  assert.match(
    text,
    /^\| `service` \| yes \| {2}\| Names &lt;service&gt;-blue \\\| the container\. \|$/m,
  );
  assert.match(text, /^\| `rule` \| no \| `` PathPrefix\(`\/`\) `` \|/m);
  assert.doesNotMatch(text, /\| old \|/);
  assert.equal(generate('--check', '--root', dir).status, 0);
});

test('missing end marker is reported', () => {
  const dir = fixture('unclosed', '# sample\n\n<!-- outputs:start -->\n');
  const check = generate('--check', '--root', dir);
  assert.equal(check.status, 1);
  assert.match(
    check.stderr,
    /"<!-- outputs:start -->" has no "<!-- outputs:end -->"/,
  );
});

test('README without markers is left alone', () => {
  const dir = fixture('plain', '# sample\n\nNo tables here.\n');
  assert.equal(generate('--root', dir).status, 0);
  assert.equal(
    readFileSync(join(dir, 'actions/sample/README.md'), 'utf8'),
    '# sample\n\nNo tables here.\n',
  );
});
