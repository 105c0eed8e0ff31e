import type { UpdateLevel } from '../types.js';

/** A version split into numeric parts and the text after the first `-`. */
interface ParsedVersion {
  parts: number[];
  suffix: string;
}

const LEVEL_RANK: Record<UpdateLevel, number> = {
  patch: 0,
  minor: 1,
  major: 2,
  unknown: 3,
};

/** Returns the more cautious of two levels (unknown beats major). */
export function maxLevel(a: UpdateLevel, b: UpdateLevel): UpdateLevel {
  return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
}

/** Returns true for a short or full Git SHA or a Docker digest. */
export function isDigest(text: string): boolean {
  const value = text.replace(/^sha256:/, '');
  return /^[0-9a-f]{7,64}$/.test(value) && /[a-f]/.test(value);
}

/** Parses `v1.2.3`, `18-alpine`, `9.4-1214.17`; undefined for anything else. */
export function parseVersion(text: string): ParsedVersion | undefined {
  const match = /^v?(\d+(?:\.\d+)*)(?:[-+](.+))?$/.exec(text.trim());
  if (!match || isDigest(text.trim())) return undefined;
  return { parts: match[1].split('.').map(Number), suffix: match[2] ?? '' };
}

/** Returns true when `text` is a pre-release such as `2.0.0-rc.1`. */
export function isPrerelease(text: string, ecosystem: string): boolean {
  const version = parseVersion(text);
  if (!version || version.suffix === '') return false;
  // Docker tags carry variants (`-alpine`), not pre-release labels.
  if (ecosystem === 'docker') return /\b(alpha|beta|rc|pre)\b/i.test(text);
  return /^(alpha|beta|rc|pre|dev|next|canary|snapshot)/i.test(version.suffix);
}

/**
 * Returns the level of moving from `from` to `to`. Below 1.0 a minor bump
 * is breaking (caret ranges treat 0.x that way), so it counts as major, and
 * below 0.1 any bump does. A changed Docker variant (`-alpine` to `-slim`),
 * a downgrade or anything unparsable is unknown.
 */
export function compareVersions(from: string, to: string): UpdateLevel {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b) return 'unknown';
  // A changed variant (`-alpine` to `-slim`) is a different image.
  if (a.suffix && b.suffix && stem(a.suffix) !== stem(b.suffix)) {
    return 'unknown';
  }
  const length = Math.max(a.parts.length, b.parts.length, 3);
  for (let index = 0; index < length; index += 1) {
    const x = a.parts[index] ?? 0;
    const y = b.parts[index] ?? 0;
    if (x === y) continue;
    if (y < x) return 'unknown';
    return levelAt(index, a.parts);
  }
  return compareSuffixes(a.suffix, b.suffix);
}

function levelAt(index: number, previous: number[]): UpdateLevel {
  if (index === 0) return 'major';
  if ((previous[0] ?? 0) === 0 && index === 1) return 'major';
  if ((previous[0] ?? 0) === 0 && (previous[1] ?? 0) === 0) return 'major';
  return index === 1 ? 'minor' : 'patch';
}

/** Same numbers: only a pre-release or build suffix moved. */
function compareSuffixes(from: string, to: string): UpdateLevel {
  return from === to ? 'unknown' : 'patch';
}

/** A suffix with its numbers masked: `alpine3.19` becomes `alpine#`. */
function stem(suffix: string): string {
  return suffix.replace(/\d+(\.\d+)*/g, '#');
}

/** Version-like tokens of a requirement range: `>=0.18,<0.20` has two. */
export function rangeBounds(range: string): string[] {
  return [...range.matchAll(/v?\d+(?:\.\d+)*(?:-[0-9A-Za-z.]+)?/g)].map(
    (match) => match[0],
  );
}

/**
 * Returns the level of a requirement change such as `~=6.0` to `~=7.0` by
 * its lower bounds, or by its upper bounds when the lower bound is kept.
 */
export function compareRanges(from: string, to: string): UpdateLevel {
  const a = rangeBounds(from);
  const b = rangeBounds(to);
  if (a.length === 0 || b.length === 0) return 'unknown';
  if (a[0] !== b[0]) return compareVersions(a[0], b[0]);
  if (a.length > 1 && b.length > 1) return compareVersions(a[1], b[1]);
  return 'unknown';
}

/** Returns the level for a pair of versions, tags, ranges or digests. */
export function levelOf(from: string, to: string): UpdateLevel {
  if (from === '' || to === '') return 'unknown';
  if (isDigest(from) || isDigest(to)) return 'unknown';
  if (/^[~^<>=!]/.test(from) || /^[~^<>=!]/.test(to) || /,/.test(from + to)) {
    return compareRanges(from, to);
  }
  return compareVersions(from, to);
}
