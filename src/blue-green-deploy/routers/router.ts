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

/** Where each color's backend listens, as `host:port`, as the balancer sees it. */
export type Backends = Partial<Record<Color, string>>;

/** What the load balancer serves, read from the balancer itself. */
export interface RouterState {
  /** Percent of new requests per color in the pool; out-of-pool colors are absent. */
  weights: Weights;
  /** The backend address configured for each color, where the balancer shows it. */
  backends: Backends;
}

/**
 * A load-balancer driver. Drivers never keep state of their own between
 * calls: `read` asks the balancer each time, so a second run, or a run after
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
