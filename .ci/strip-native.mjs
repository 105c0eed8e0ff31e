// Removes native add-ons (*.node) that ncc copied into a bundle folder.
// They are compiled for the build machine's Node.js and CPU, so on a runner
// with another Node.js ABI or architecture they cannot load; the packages
// that ship them (ssh2 through dockerode, and its optional cpu-features)
// fall back to JavaScript when they are missing.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

function strip(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      strip(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (entry.endsWith('.node')) {
      rmSync(path);
    }
  }
}

const target = process.argv[2];
if (!target) {
  console.error('usage: node .ci/strip-native.mjs DIST_FOLDER');
  process.exit(2);
}
strip(target);
