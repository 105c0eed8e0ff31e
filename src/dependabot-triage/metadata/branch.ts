/** Ecosystem names in branch names, mapped to their dependabot.yml names. */
const ECOSYSTEM_OF_BRANCH: Record<string, string> = {
  npm_and_yarn: 'npm',
  github_actions: 'github-actions',
  go_modules: 'gomod',
  submodules: 'gitsubmodule',
  hex: 'mix',
  docker_compose: 'docker-compose',
  dotnet_sdk: 'dotnet-sdk',
};

/** Package managers as Dependabot writes them in branch names. */
const BRANCH_ECOSYSTEMS = [
  ...Object.keys(ECOSYSTEM_OF_BRANCH),
  'bundler',
  'cargo',
  'composer',
  'devcontainers',
  'docker',
  'elm',
  'gradle',
  'helm',
  'maven',
  'nuget',
  'pip',
  'pub',
  'swift',
  'terraform',
  'uv',
  'bun',
].sort((a, b) => b.length - a.length);

/** What a Dependabot branch name states. */
export interface BranchFacts {
  ecosystem: string;
  /** The branch after the ecosystem and its separator. */
  rest: string;
  separator: string;
  /** Target branch segments found after the ecosystem, or ''. */
  target: string;
}

/**
 * Parses `dependabot/npm_and_yarn/web/lodash-4.17.21`. The separator after
 * `dependabot` may be `/`, `-`, `_` or `.` (the
 * `pull-request-branch-name.separator` option), and a `target-branch` other
 * than the default branch appears after the ecosystem.
 */
export function parseBranch(
  branch: string,
  baseRef: string,
  defaultBranch: string,
): BranchFacts | undefined {
  const match = /^dependabot([/\-_.+])(.+)$/.exec(branch);
  if (!match) return undefined;
  const [, separator, afterPrefix] = match;
  const known = BRANCH_ECOSYSTEMS.find((name) =>
    afterPrefix.startsWith(`${name}${separator}`),
  );
  const raw = known ?? afterPrefix.split(separator)[0];
  let rest = afterPrefix.slice(raw.length + separator.length);
  const targetPrefix = `${baseRef.split('/').join(separator)}${separator}`;
  let target = '';
  if (baseRef !== defaultBranch && rest.startsWith(targetPrefix)) {
    target = baseRef;
    rest = rest.slice(targetPrefix.length);
  }
  const ecosystem = ECOSYSTEM_OF_BRANCH[raw] ?? raw;
  return { ecosystem, rest, separator, target };
}

/**
 * Returns the directory a single-dependency branch names: what stands
 * between the ecosystem and the dependency name, whose `/` Dependabot writes
 * with the separator and whose leading `@` it drops.
 */
export function directoryFromBranch(facts: BranchFacts, name: string): string {
  const written = name.replace(/^@/, '').split('/').join(facts.separator);
  const at = facts.rest.lastIndexOf(`${written}-`);
  if (at <= 0) return '/';
  const middle = facts.rest.slice(0, at - facts.separator.length);
  return `/${middle.split(facts.separator).join('/')}`;
}
