import { ConfigurationError } from '../../shared/errors.js';
import {
  COLORS,
  describeWeights,
  type Backends,
  type Color,
  type RouterState,
  type Weights,
} from './router.js';

/**
 * Upstream lists of a Caddy reverse_proxy handler: how the Caddy driver
 * writes weights into them and reads weights back. Every upstream the driver
 * writes carries an `"@id"` of the form `<handler id>.<color>.<n>`, and the
 * color in that tag maps each upstream to its color on read-back.
 */

/** One upstream of a reverse_proxy handler as Caddy's JSON config spells it. */
export interface CaddyUpstream {
  '@id'?: string;
  dial?: string;
  [key: string]: unknown;
}

export interface CaddySelectionPolicy {
  policy?: string;
  weights?: number[];
  [key: string]: unknown;
}

/** The parts of a reverse_proxy handler that the driver reads and writes. */
export interface CaddyHandler {
  handler?: string;
  upstreams?: CaddyUpstream[];
  load_balancing?: {
    selection_policy?: CaddySelectionPolicy;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * Encoding of weights in Caddy's config: the `weighted_round_robin` policy
 * (Caddy 2.7 and later), or `round_robin` over a list that repeats each
 * upstream in proportion to its share, because Caddy 2.6 has no weighted
 * policy.
 */
export type WeightMode = 'weighted_round_robin' | 'repeated';

/** The live handler as the driver understands it. */
export interface CaddyLiveState extends RouterState {
  /** Selection policy of the handler; Caddy's default is `random`. */
  policy: string;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * Checks that `weights` are whole percents summing to 100 and returns the
 * colors in the pool with their shares.
 */
export function poolShares(weights: Weights): Array<[Color, number]> {
  for (const color of COLORS) {
    const percent = weights[color] ?? 0;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new ConfigurationError(
        `Traffic weight for ${color} is ${percent}, but Caddy needs a whole percent from 0 to 100. Use whole-percent traffic steps.`,
      );
    }
  }
  const shares = COLORS.map((color): [Color, number] => [
    color,
    weights[color] ?? 0,
  ]).filter(([, percent]) => percent > 0);
  const total = shares.reduce((sum, [, percent]) => sum + percent, 0);
  if (total !== 100) {
    throw new Error(
      `Traffic weights must sum to 100, got ${describeWeights(weights)}.`,
    );
  }
  return shares;
}

/**
 * Returns the smallest whole-number ratio of the shares: 90/10 becomes 9:1,
 * 50/50 becomes 1:1, 100/0 becomes 1. The ratio's sum is the length of the repeated list.
 */
export function smallestRatio(
  shares: Array<[Color, number]>,
): Array<[Color, number]> {
  const divisor = shares.reduce(
    (gcd, [, percent]) => greatestCommonDivisor(percent, gcd),
    0,
  );
  return shares.map(([color, percent]) => [color, percent / divisor]);
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}$/;

function backendsOf(color: Color, backends: Backends): string[] {
  const addresses = backends[color] ?? [];
  const invalid = addresses.find((address) => !HOST_PORT.test(address));
  if (addresses.length === 0 || invalid !== undefined) {
    throw new ConfigurationError(
      `Backend for ${color} is "${invalid ?? ''}", but Caddy needs host:port, such as 127.0.0.1:8081.`,
    );
  }
  return addresses;
}

/**
 * Builds the upstream list and selection policy that carry `weights`. Each
 * color's share is spread evenly over its replicas: every count is scaled
 * by the least common multiple of the replica counts, so each replica gets
 * a whole number of entries (or a whole weight).
 */
export function buildUpstreams(
  handlerId: string,
  weights: Weights,
  backends: Backends,
  mode: WeightMode,
): { upstreams: CaddyUpstream[]; policy: CaddySelectionPolicy } {
  const ratio = smallestRatio(poolShares(weights));
  const replicas = new Map(
    ratio.map(([color]) => [color, backendsOf(color, backends)]),
  );
  const scale = [...replicas.values()].reduce(
    (lcm, list) =>
      (lcm * list.length) / greatestCommonDivisor(lcm, list.length),
    1,
  );
  if (mode === 'weighted_round_robin' && (ratio.length > 1 || scale > 1)) {
    const entries = ratio.flatMap(([color, count]) => {
      const addresses = replicas.get(color)!;
      return addresses.map((dial, index) => ({
        upstream: { '@id': `${handlerId}.${color}.${index}`, dial },
        weight: (count * scale) / addresses.length,
      }));
    });
    return {
      upstreams: entries.map((entry) => entry.upstream),
      policy: {
        policy: 'weighted_round_robin',
        weights: entries.map((entry) => entry.weight),
      },
    };
  }
  // Interleave the colors so a round-robin pass spreads each one evenly,
  // and cycle through each color's replicas.
  const upstreams: CaddyUpstream[] = [];
  const longest = Math.max(...ratio.map(([, count]) => count * scale));
  for (let index = 0; index < longest; index++) {
    for (const [color, count] of ratio) {
      const addresses = replicas.get(color)!;
      if (index < count * scale) {
        upstreams.push({
          '@id': `${handlerId}.${color}.${index}`,
          dial: addresses[index % addresses.length],
        });
      }
    }
  }
  return { upstreams, policy: { policy: 'round_robin' } };
}

function colorOfUpstream(handlerId: string, upstream: CaddyUpstream) {
  const tag = upstream['@id'];
  const prefix = `${handlerId}.`;
  if (typeof tag !== 'string' || !tag.startsWith(prefix)) return undefined;
  const color = tag.slice(prefix.length).split('.')[0];
  return COLORS.find((known) => known === color);
}

function roundPercent(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Derives the traffic share of each color from a live handler: each upstream
 * counts once under round-robin, or by its weight under
 * `weighted_round_robin`.
 */
export function stateFromHandler(
  handlerId: string,
  handler: CaddyHandler,
): CaddyLiveState {
  const policy = handler.load_balancing?.selection_policy ?? {};
  const policyName = policy.policy ?? 'random';
  const upstreams = handler.upstreams ?? [];
  const totals: Partial<Record<Color, number>> = {};
  const backends: Backends = {};
  let sum = 0;
  upstreams.forEach((upstream, index) => {
    const color = colorOfUpstream(handlerId, upstream);
    if (color === undefined) {
      throw new ConfigurationError(
        `Caddy handler "${handlerId}" has upstream ${JSON.stringify(upstream)} without a color tag. Give it "@id": "${handlerId}.blue.0" (or green) so the driver can map it to its color.`,
      );
    }
    const weight =
      policyName === 'weighted_round_robin'
        ? (policy.weights?.[index] ?? 1)
        : 1;
    totals[color] = (totals[color] ?? 0) + weight;
    const seen = (backends[color] ??= []);
    if (upstream.dial && !seen.includes(upstream.dial))
      seen.push(upstream.dial);
    sum += weight;
  });
  const weights: Weights = {};
  for (const color of COLORS) {
    const total = totals[color] ?? 0;
    if (total > 0) weights[color] = roundPercent((100 * total) / sum);
  }
  return { weights, backends, policy: policyName };
}
