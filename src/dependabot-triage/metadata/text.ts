import { parse as parseYaml } from 'yaml';

/** One entry of the commit's `updated-dependencies` YAML block. */
export interface YamlEntry {
  name: string;
  version?: string;
  dependencyType?: string;
  updateType?: string;
  group?: string;
}

/** A dependency with versions as one line or table row shows them. */
export interface VersionLine {
  name: string;
  from: string;
  to: string;
}

/** The YAML block between `---` and `...`; empty when there is none. */
export function parseYamlBlock(message: string): YamlEntry[] {
  const match = /^---\r?\n(updated-dependencies:[\s\S]*?)^\.\.\.\s*$/m.exec(
    message,
  );
  if (!match) return [];
  let document: unknown;
  try {
    document = parseYaml(match[1]);
  } catch {
    return [];
  }
  const list = (document as { 'updated-dependencies'?: unknown })?.[
    'updated-dependencies'
  ];
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: Record<string, unknown>) => {
    const name = text(item?.['dependency-name']);
    if (!name) return [];
    return [
      {
        name,
        version: text(item['dependency-version']),
        dependencyType: text(item['dependency-type']),
        updateType: text(item['update-type']),
        group: text(item['dependency-group']),
      },
    ];
  });
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

const NAME = String.raw`\[?([^\]\s\x60]+)\]?(?:\([^)]*\))?`;
const VERSION = String.raw`\x60?([^\x60\s]+?)\x60?`;

/** `Updates \`name\` from A to B` and `Updates \`name\` to B`, in order. */
export function updatesLines(text: string): VersionLine[] {
  const pattern = /^Updates `([^`]+)` (?:from (.+?) )?to (.+?)\s*$/gm;
  return [...text.matchAll(pattern)].map((match) => ({
    name: match[1],
    from: unquote(match[2] ?? ''),
    to: unquote(match[3]),
  }));
}

/** The single-update line `Bumps [name](url) from A to B.` */
export function bumpsLine(text: string): VersionLine | undefined {
  const pattern = new RegExp(
    String.raw`^Bumps ${NAME} from ${VERSION} to ${VERSION}\.?\s*$`,
    'm',
  );
  const match = pattern.exec(text);
  return match ? { name: match[1], from: match[2], to: match[3] } : undefined;
}

/** Rows `| [name](url) | \`A\` | \`B\` |` of a grouped update's table. */
export function tableRows(text: string): VersionLine[] {
  const pattern =
    /^\|\s*\[?([^\]|]+?)\]?(?:\([^)]*\))?\s*\|\s*`([^`]*)`\s*\|\s*`([^`]*)`\s*\|\s*$/gm;
  return [...text.matchAll(pattern)].map((match) => ({
    name: match[1].trim(),
    from: match[2],
    to: match[3],
  }));
}

/**
 * Maps each dependency name to the directories its group line puts it in:
 * `Bumps the G group with 2 updates in the /web directory: [a](…) and [b](…).`
 * or `Bumps the G group in /web with 2 updates:` followed by a table.
 */
export function directoryOfNames(text: string): Map<string, string[]> {
  const directories = new Map<string, string[]>();
  const header =
    /^Bumps the "?[^"\s]+"? group (?:with \d+ updates? in the (\S+) directory|in (\S+) with \d+ updates?):?(.*)$/;
  let current: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const match = header.exec(line);
    if (match) {
      current = match[1] ?? match[2];
      for (const name of linkedNames(match[3])) add(directories, name, current);
      continue;
    }
    const row = current ? tableRows(line)[0] : undefined;
    if (row && current) add(directories, row.name, current);
    else if (/^Updates `/.test(line)) current = undefined;
  }
  return directories;
}

function add(map: Map<string, string[]>, name: string, directory: string) {
  map.set(name, [...(map.get(name) ?? []), directory]);
}

/** Names in `[a](…), [b](…) and [c](…).`, or plain `a and b.` */
function linkedNames(list: string): string[] {
  const linked = [...list.matchAll(/\[([^\]]+)\]\(/g)].map((m) => m[1]);
  if (linked.length > 0) return linked;
  return list
    .replace(/\.$/, '')
    .split(/,\s*|\s+and\s+/)
    .map((name) => name.trim())
    .filter((name) => /^[\w@./-]+$/.test(name));
}

function unquote(value: string): string {
  return value.replace(/^`|`$/g, '').replace(/\.$/, '');
}
