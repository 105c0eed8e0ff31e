/** What a Dependabot pull request title or commit subject states. */
export interface TitleFacts {
  /** Single dependency name, when the title names one. */
  name?: string;
  from?: string;
  to?: string;
  /** Directory after ` in `, when present. */
  directory?: string;
  group?: string;
  /** True for `Bump the "g" group with N updates across multiple ecosystems`. */
  multiEcosystem: boolean;
  /** True for `Update X requirement from A to B`. */
  requirement: boolean;
}

/**
 * Parses a title such as `build(deps): bump lodash from 4.17.20 to
 * 4.17.21 in /web`. A commit prefix (`chore(deps-dev):`, `:arrow_up:`) and
 * `[Security]` are skipped. A subject over 72 characters loses its
 * versions (`Bump @scope/long-name in /web`), so they stay undefined.
 */
export function parseTitle(title: string): TitleFacts {
  const facts: TitleFacts = { multiEcosystem: false, requirement: false };
  const verb = /^(?:\S+:\s+)?(?:\[Security\]\s+)?(?:bump|update)s?\s+(.*)$/i;
  const rest = verb.exec(title.trim())?.[1];
  if (!rest) return facts;

  const group = /^the "?([^"\s]+)"? group\b(.*)$/i.exec(rest);
  if (group) {
    facts.group = group[1];
    facts.multiEcosystem = /across multiple ecosystems/i.test(group[2]);
    facts.directory = /^ in (\/\S*)/.exec(group[2])?.[1];
    return facts;
  }

  const requirement =
    /^(\S+) requirement from (.+?) to (.+?)(?: in (\/\S*))?(?: in the (\S+) group.*)?$/i.exec(
      rest,
    );
  if (requirement) {
    const [, name, from, to, directory, groupName] = requirement;
    return {
      ...facts,
      name,
      from,
      to,
      directory,
      group: groupName,
      requirement: true,
    };
  }

  const single =
    /^(\S+)(?: from (\S+) to (\S+?))?(?: in (\/\S*))?(?: in the (\S+) group.*)?$/i.exec(
      rest,
    );
  if (single) {
    const [, name, from, to, directory, groupName] = single;
    return {
      ...facts,
      name,
      from: strip(from),
      to: strip(to),
      directory,
      group: groupName,
    };
  }
  return facts;
}

function strip(value: string | undefined): string | undefined {
  return value?.replace(/^`|`$/g, '');
}
