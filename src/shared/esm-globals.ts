// CommonJS dependencies bundled into an ES module (dockerode through ssh2
// and its WebAssembly helpers) read `__dirname` and `require` as free
// variables. Each entry imports this module first so they resolve to the
// bundle's own folder, where ncc puts the assets.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const globals = globalThis as Record<string, unknown>;
globals.__dirname ??= dirname(fileURLToPath(import.meta.url));
globals.__filename ??= fileURLToPath(import.meta.url);
globals.require ??= createRequire(import.meta.url);
