// Runs the test suite with Node's test runner. `--unit` leaves out the
// integration tests (files named *.integration.test.ts), which need dockerd
// and the Debian packages that .ci/run installs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const unitOnly = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : findTests(path);
    }
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = findTests(join(root, 'test'))
  .map((path) => relative(root, path))
  .filter((path) => !unitOnly || !path.endsWith('.integration.test.ts'))
  .filter(
    (path) => filters.length === 0 || filters.some((f) => path.includes(f)),
  )
  .sort((a, b) => {
    // Unit tests first: they fail fast and need no services.
    const rank = (p) => (p.endsWith('.integration.test.ts') ? 1 : 0);
    return rank(a) - rank(b) || a.localeCompare(b);
  });

if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

// One file at a time: integration tests share dockerd and the host's ports.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
