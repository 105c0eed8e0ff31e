// Rewrites the inputs and outputs tables in actions/*/README.md from each
// action's action.yml. A table sits between `<!-- inputs:start -->` and
// `<!-- inputs:end -->` (or `outputs:`); READMEs without markers are left
// alone.
//
//   node .ci/readme-tables.mjs                 rewrite stale tables
//   node .ci/readme-tables.mjs --check         exit 1 and show the
//                                              difference when one is stale
//   --root DIR                                 repository root (default: ..)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const SECTIONS = ['inputs', 'outputs'];

/**
 * Escapes text for one Markdown table cell: one line, `|` escaped, and `<`
 * and `>` as entities so that `<service>` is not read as an HTML tag.
 */
function cell(text) {
  return String(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
}

/**
 * Formats a default value as a code span; an empty string shows as `''`.
 * A value that contains a backtick gets a double-backtick span.
 */
function defaultCell(input) {
  if (!('default' in input)) return '';
  const value = String(input.default)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|');
  if (value === '') return "`''`";
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

/** Renders the Markdown table for one section of an action.yml. */
export function renderTable(section, metadata) {
  const entries = Object.entries(metadata[section] ?? {});
  if (section === 'inputs') {
    return [
      '| Input | Required | Default | Description |',
      '| --- | --- | --- | --- |',
      ...entries.map(
        ([name, input]) =>
          `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ` +
          `${defaultCell(input)} | ${cell(input.description ?? '')} |`,
      ),
    ].join('\n');
  }
  return [
    '| Output | Description |',
    '| --- | --- |',
    ...entries.map(
      ([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`,
    ),
  ].join('\n');
}

/**
 * Returns the README text with every marked table regenerated. Throws when
 * a start marker has no end marker after it.
 */
export function updateReadme(text, metadata, file) {
  let updated = text;
  for (const section of SECTIONS) {
    const start = `<!-- ${section}:start -->`;
    const end = `<!-- ${section}:end -->`;
    const from = updated.indexOf(start);
    if (from < 0) continue;
    const to = updated.indexOf(end, from);
    if (to < 0) {
      throw new Error(`${file}: "${start}" has no "${end}" after it.`);
    }
    const table = renderTable(section, metadata);
    updated =
      updated.slice(0, from + start.length) +
      `\n\n${table}\n\n` +
      updated.slice(to);
  }
  return updated;
}

/** Lists the lines that differ, `-` for the README and `+` for action.yml. */
function describeDifference(before, after) {
  const old = before.split('\n');
  const next = after.split('\n');
  const removed = old.filter((line) => !next.includes(line));
  const added = next.filter((line) => !old.includes(line));
  return [
    ...removed.map((line) => `- ${line}`),
    ...added.map((line) => `+ ${line}`),
  ].join('\n');
}

/** Finds the READMEs with table markers, each with its action.yml. */
export function findReadmes(root) {
  const actionsDir = join(root, 'actions');
  if (!existsSync(actionsDir)) return [];
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(actionsDir, entry.name))
    .filter((dir) => existsSync(join(dir, 'README.md')))
    .map((dir) => ({
      readme: join(dir, 'README.md'),
      metadata: join(dir, 'action.yml'),
    }))
    .filter(({ readme }) =>
      SECTIONS.some((section) =>
        readFileSync(readme, 'utf8').includes(`<!-- ${section}:start -->`),
      ),
    );
}

function main(argv) {
  const check = argv.includes('--check');
  const rootIndex = argv.indexOf('--root');
  const root =
    rootIndex >= 0
      ? argv[rootIndex + 1]
      : fileURLToPath(new URL('..', import.meta.url));
  // READMEs that are stale or could not be updated.
  let stale = 0;
  for (const { readme, metadata } of findReadmes(root)) {
    const name = relative(root, readme);
    if (!existsSync(metadata)) {
      console.error(`${name}: has table markers but no action.yml beside it.`);
      stale += 1;
      continue;
    }
    const text = readFileSync(readme, 'utf8');
    let updated;
    try {
      updated = updateReadme(text, parse(readFileSync(metadata, 'utf8')), name);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      stale += 1;
      continue;
    }
    if (updated === text) continue;
    if (check) {
      stale += 1;
      console.error(
        `${name}: the tables differ from ${relative(root, metadata)}; ` +
          `run "node .ci/readme-tables.mjs" to rewrite them.\n` +
          describeDifference(text, updated),
      );
    } else {
      writeFileSync(readme, updated);
      console.log(`${name}: tables rewritten`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
