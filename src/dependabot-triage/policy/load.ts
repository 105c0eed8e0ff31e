import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../shared/duration.js';
import { ConfigurationError } from '../../shared/errors.js';
import type { Action, MergeMethod, Severity } from '../types.js';
import { POLICY_SCHEMA } from './schema.js';
import type { Policy, Rule, RuleMatch } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validate = ajv.compile(POLICY_SCHEMA);

/** Parses and validates policy YAML; `path` names the file in errors. */
export function parsePolicy(text: string, path: string): Policy {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigurationError(
      `Policy file ${path} is not valid YAML: ${(error as Error).message}`,
    );
  }
  if (!validate(document)) {
    const messages = relevantErrors(validate.errors ?? []).map((e) =>
      describeError(e, document),
    );
    throw new ConfigurationError(
      `Policy file ${path} is invalid:\n- ${[...new Set(messages)].join('\n- ')}`,
    );
  }
  const raw = document as { rules: RawRule[] };
  return { source: path, rules: raw.rules.map(toRule) };
}

interface RawRule {
  name?: string;
  match?: Record<string, unknown>;
  action: Action;
  'merge-method'?: MergeMethod;
  labels?: string[];
}

function toRule(raw: RawRule, index: number): Rule {
  const name = raw.name ?? `rule ${index + 1}`;
  const match = raw.match ?? {};
  const list = (key: string) =>
    match[key] === undefined
      ? undefined
      : ([] as string[]).concat(match[key] as string);
  const age = match['min-release-age'] as string | undefined;
  const result: RuleMatch = {
    ecosystem: list('ecosystem'),
    dependencyName: list('dependency-name'),
    dependencyType: list('dependency-type') as RuleMatch['dependencyType'],
    updateType: list('update-type') as RuleMatch['updateType'],
    security: match.security as boolean | undefined,
    minSeverity: match['min-severity'] as Severity | undefined,
    directory: list('directory'),
    group: list('group'),
    minReleaseAgeMs:
      age === undefined
        ? undefined
        : parseDuration(age, `${name}: min-release-age`),
    prerelease: match.prerelease as boolean | undefined,
  };
  return {
    name,
    match: result,
    action: raw.action,
    mergeMethod: raw['merge-method'],
    labels: raw.labels ?? [],
  };
}

/**
 * Drops the errors that `oneOf` adds for its other branch: a field given
 * as a string that fails its enum also "must be array".
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = new Set(
    errors
      .filter((e) => e.keyword !== 'type' && e.keyword !== 'oneOf')
      .map((e) => e.instancePath),
  );
  return errors.filter(
    (e) =>
      e.keyword !== 'oneOf' &&
      !(e.keyword === 'type' && specific.has(e.instancePath)) &&
      !(
        e.keyword === 'type' &&
        errors.some(
          (o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`),
        )
      ),
  );
}

/** Turns one schema error into "rule, field, value, fix". */
function describeError(error: ErrorObject, document: unknown): string {
  const path = error.instancePath.split('/').filter(Boolean);
  const where = locate(path, document);
  const value = JSON.stringify(valueAt(path, document));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field "${String(params.additionalProperty)}". Remove it or fix its spelling; allowed fields: ${allowed(error)}.`;
    case 'enum':
      return `${where} is ${value}. Use one of: ${(params.allowedValues as string[]).join(', ')}.`;
    case 'required':
      return `${where}: field "${String(params.missingProperty)}" is missing. Add it.`;
    case 'pattern':
      return `${where} is ${value}. ${patternHint(path)}`;
    case 'type':
      return `${where} is ${value}, but it must be ${String(params.type)}${path.at(-1) === 'match' ? '' : ' (or a list of them)'}.`;
    default:
      return `${where} is ${value}: ${error.message ?? 'invalid'}.`;
  }
}

function locate(path: string[], document: unknown): string {
  if (path[0] !== 'rules' || path.length < 2) {
    return path.length ? `field "${path.join('.')}"` : 'the file';
  }
  const rule = valueAt(path.slice(0, 2), document) as
    { name?: string } | undefined;
  const label = rule?.name
    ? `rule ${Number(path[1]) + 1} ("${rule.name}")`
    : `rule ${Number(path[1]) + 1}`;
  const field = path
    .slice(2)
    .filter((p) => !/^\d+$/.test(p))
    .join('.');
  return field ? `${label}, field "${field}"` : label;
}

function valueAt(path: string[], document: unknown): unknown {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string, unknown> | undefined)?.[key],
    document,
  );
}

function allowed(error: ErrorObject): string {
  const schema = error.parentSchema as { properties?: object } | undefined;
  return Object.keys(schema?.properties ?? {}).join(', ');
}

function patternHint(path: string[]): string {
  if (path.includes('directory'))
    return 'A directory starts with "/", such as "/" or "/web/**".';
  return 'Use a duration such as 12h, 3d or 1w.';
}
