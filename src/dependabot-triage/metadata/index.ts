import type {
  DependencyType,
  UpdateLevel,
  UpdatedDependency,
} from '../types.js';
import {
  directoryFromBranch,
  parseBranch,
  type BranchFacts,
} from './branch.js';
import {
  bumpsLine,
  directoryOfNames,
  parseYamlBlock,
  tableRows,
  updatesLines,
  type VersionLine,
  type YamlEntry,
} from './text.js';
import { parseTitle, type TitleFacts } from './title.js';
import { isDigest, isPrerelease, levelOf, maxLevel } from './versions.js';

/** The texts a Dependabot pull request carries. */
export interface PullRequestText {
  title: string;
  body: string;
  /** Message of the pull request's first commit. */
  commitMessage: string;
  branch: string;
  baseRef: string;
  defaultBranch: string;
}

/** Everything read from a Dependabot pull request. */
export interface UpdateMetadata {
  dependencies: UpdatedDependency[];
  group: string;
  multiEcosystem: boolean;
  targetBranch: string;
}

const DEPENDENCY_TYPES: readonly string[] = [
  'direct:production',
  'direct:development',
  'indirect',
];

/**
 * Reads every updated dependency from the commit's YAML block, the
 * `Updates …` lines, the group table, the `Bumps …` line and the title, so
 * that each dependency gets its own versions and directory.
 */
export function readMetadata(pr: PullRequestText): UpdateMetadata {
  const title = parseTitle(pr.title);
  const subject = parseTitle(pr.commitMessage.split('\n')[0] ?? '');
  const branch = parseBranch(pr.branch, pr.baseRef, pr.defaultBranch);
  const text = `${pr.commitMessage}\n${pr.body}`;
  const lines = new VersionQueue([
    ...updatesLines(text),
    ...tableRows(text),
    ...[bumpsLine(text)].filter((line) => line !== undefined),
  ]);
  const directories = new DirectoryQueue(directoryOfNames(text));
  const yaml = parseYamlBlock(pr.commitMessage);
  const entries = yaml.length > 0 ? yaml : entriesWithoutYaml(text, title);
  const group =
    title.group ?? subject.group ?? yaml.find((e) => e.group)?.group;
  const context = { title, subject, branch, lines, directories, group };
  return {
    dependencies: entries.map((entry) => toDependency(entry, context)),
    group: group ?? '',
    multiEcosystem: title.multiEcosystem,
    targetBranch: pr.baseRef,
  };
}

interface Context {
  title: TitleFacts;
  subject: TitleFacts;
  branch: BranchFacts | undefined;
  lines: VersionQueue;
  directories: DirectoryQueue;
  group: string | undefined;
}

function entriesWithoutYaml(text: string, title: TitleFacts): YamlEntry[] {
  const names = [...updatesLines(text), ...tableRows(text)].map((l) => l.name);
  const bumps = bumpsLine(text);
  if (bumps) names.push(bumps.name);
  if (names.length === 0 && title.name) names.push(title.name);
  return [...new Set(names)].map((name) => ({ name }));
}

function toDependency(entry: YamlEntry, context: Context): UpdatedDependency {
  const { title, subject } = context;
  const line = context.lines.take(entry.name);
  const named = [title, subject].find((t) => t.name === entry.name);
  const previousVersion = line?.from || named?.from || '';
  const newVersion = line?.to || named?.to || entry.version || '';
  // NOTE: a multi-ecosystem group states no ecosystem per dependency in
  // the formats seen so far, so rules that name an ecosystem do not match.
  const ecosystem = context.title.multiEcosystem
    ? 'unknown'
    : (context.branch?.ecosystem ?? 'unknown');
  const { level, source } = decideLevel(entry, previousVersion, newVersion);
  return {
    name: entry.name,
    previousVersion,
    newVersion,
    level,
    levelSource: source,
    dependencyType: dependencyTypeOf(entry.dependencyType),
    ecosystem,
    directory: directoryOf(entry.name, context),
    group: entry.group ?? context.group ?? '',
    prerelease: isPrerelease(newVersion, ecosystem),
  };
}

function directoryOf(name: string, context: Context): string {
  const fromBody = context.directories.take(name);
  if (fromBody) return fromBody;
  const fromTitle = context.title.directory ?? context.subject.directory;
  if (fromTitle) return fromTitle;
  if (context.branch && !context.group) {
    return directoryFromBranch(context.branch, name);
  }
  return '/';
}

/**
 * Takes the more cautious of Dependabot's `update-type` and the level the
 * versions show, since Dependabot calls 0.4 to 0.5 a minor update.
 */
function decideLevel(
  entry: YamlEntry,
  from: string,
  to: string,
): { level: UpdateLevel; source: string } {
  const stated = levelFromUpdateType(entry.updateType);
  const computed = levelOf(from, to);
  if (computed === 'unknown') {
    if (stated && (isDigest(from) || isDigest(to) || from === '')) {
      return { level: stated, source: 'update-type' };
    }
    if (stated && from !== '' && to !== '') {
      return { level: stated, source: 'update-type' };
    }
    return { level: 'unknown', source: 'no versions or update-type' };
  }
  if (!stated) return { level: computed, source: 'versions' };
  const level = maxLevel(stated, computed);
  return { level, source: level === stated ? 'update-type' : 'versions' };
}

function levelFromUpdateType(
  value: string | undefined,
): UpdateLevel | undefined {
  const match = /^version-update:semver-(major|minor|patch)$/.exec(value ?? '');
  return match ? (match[1] as UpdateLevel) : undefined;
}

function dependencyTypeOf(value: string | undefined): DependencyType {
  return DEPENDENCY_TYPES.includes(value ?? '')
    ? (value as DependencyType)
    : 'unknown';
}

/** Version lines by name, taken in order so repeated names stay apart. */
class VersionQueue {
  private readonly byName = new Map<string, VersionLine[]>();

  constructor(lines: VersionLine[]) {
    for (const line of lines) {
      this.byName.set(line.name, [...(this.byName.get(line.name) ?? []), line]);
    }
  }

  take(name: string): VersionLine | undefined {
    const list =
      this.byName.get(name) ?? this.byName.get(name.replace(/^@/, ''));
    if (!list || list.length === 0) return undefined;
    return list.length > 1 ? list.shift() : list[0];
  }
}

/** Directories by name, taken in order like the version lines. */
class DirectoryQueue {
  constructor(private readonly byName: Map<string, string[]>) {}

  take(name: string): string | undefined {
    const list = this.byName.get(name);
    if (!list || list.length === 0) return undefined;
    return list.length > 1 ? list.shift() : list[0];
  }
}
