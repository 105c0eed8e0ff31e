/** The two colors of a blue-green service. */
export type Color = 'blue' | 'green';

export const COLORS: readonly Color[] = ['blue', 'green'];

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

/**
 * Traffic share per color in percent, 0 to 100. A color at 0, or absent,
 * is out of the pool: it receives no new requests.
 */
export type Weights = Partial<Record<Color, number>>;

/**
 * Where each replica of a color listens, as `host:port` as the balancer
 * sees it, in replica order.
 */
export type Backends = Partial<Record<Color, string[]>>;

/** Traffic state of the load balancer, read from the balancer itself. */
export interface RouterState {
  /** Percent of new requests per color in the pool; out-of-pool colors are absent. */
  weights: Weights;
  /** The backend addresses configured for each color, where the balancer shows them. */
  backends: Backends;
}

/**
 * A load-balancer driver. Drivers never keep state of their own between
 * calls: `read` queries the balancer each time, so a second run, or a run after
 * a crash, sees what is live.
 */
export interface Router {
  /** Driver name as the `router` input spells it: haproxy, nginx, caddy, traefik. */
  readonly kind: string;
  /** Reads the live weights and backends from the balancer. */
  read(): Promise<RouterState>;
  /**
   * Applies the weights (summing to 100) and backends. Implementations order
   * their changes so the color whose share drops never gets more than its
   * old or new share in between.
   */
  apply(weights: Weights, backends: Backends): Promise<void>;
  /**
   * Confirms that the balancer's live state carries `weights`; throws an
   * error that names the expected and the observed state otherwise.
   */
  verify(weights: Weights, backends: Backends): Promise<void>;
  /** Open requests or sessions on a color, where the balancer reports them. */
  activeSessions?(color: Color): Promise<number>;
}

/** Shares of two states are equal when every color's percent matches within 1. */
export function sameWeights(a: Weights, b: Weights): boolean {
  return COLORS.every(
    (color) => Math.abs((a[color] ?? 0) - (b[color] ?? 0)) <= 1,
  );
}

export function describeWeights(weights: Weights): string {
  return COLORS.map((color) => `${color} ${weights[color] ?? 0}%`).join(', ');
}

/** True when both lists hold the same addresses, in any order. */
export function sameAddresses(
  a: string[] | undefined,
  b: string[] | undefined,
): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...(b ?? [])].sort();
  return (
    left.length === right.length && left.every((value, i) => value === right[i])
  );
}

/**
 * Integer weight of one replica for a color share: the share scaled to 256
 * (HAProxy's largest weight) and split across the color's replicas, at
 * least 1 so a color in the pool is never dropped by rounding.
 */
export function replicaWeight(percent: number, replicas: number): number {
  return Math.max(1, Math.round((percent * 2.56) / Math.max(1, replicas)));
}
