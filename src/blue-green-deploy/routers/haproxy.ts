import { ConfigurationError } from '../../shared/errors.js';
import { createConnection } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import type { HaproxySettings } from '../inputs.js';
import {
  COLORS,
  describeWeights,
  replicaWeight,
  sameAddresses,
  sameWeights,
  type Backends,
  type Color,
  type Router,
  type RouterState,
  type Weights,
} from './router.js';

/**
 * srv_admin_state bits that take a server out of the pool: forced and
 * inherited maintenance (0x01, 0x02), forced and inherited drain (0x08,
 * 0x10), and resolver and hostname maintenance (0x20, 0x40). Bit 0x04 only
 * records that the configuration declared the server `disabled`, and stays
 * set after the server is made ready.
 */
const OUT_OF_POOL_BITS = 0x01 | 0x02 | 0x08 | 0x10 | 0x20 | 0x40;

/** srv_op_state of a server that is down. */
const STOPPED = 0;

interface ServerRow {
  name: string;
  /** Color of the slot; replicas use `blue-2`, `blue-3` and so on. */
  color?: Color;
  address: string;
  port: string;
  adminState: number;
  operationalState: number;
  userWeight: number;
}

/**
 * Drives HAProxy through its runtime API, with no reload. The backend named
 * in the settings must declare one server per color, named `blue` and
 * `green`. Their addresses may be placeholders, because the action sets them.
 */
export class HaproxyRouter implements Router {
  readonly kind = 'haproxy';

  constructor(
    private readonly settings: HaproxySettings,
    private readonly logger: Logger,
  ) {}

  /** Sends one runtime API command and returns its output. */
  async command(line: string): Promise<string> {
    this.logger.debug(`haproxy> ${line}`);
    const output = await sendCommand(this.settings.socket, line);
    const trimmed = output.trim();
    if (
      /^(Unknown|No such|Require|Invalid|Permission denied)/im.test(trimmed)
    ) {
      throw new Error(`HAProxy rejected "${line}": ${trimmed}`);
    }
    return output;
  }

  async read(): Promise<RouterState> {
    const rows = await this.servers();
    const inPool = rows.filter(
      (row) =>
        (row.adminState & OUT_OF_POOL_BITS) === 0 &&
        row.operationalState !== STOPPED &&
        row.userWeight > 0,
    );
    const total = inPool.reduce((sum, row) => sum + row.userWeight, 0);
    const weights: Weights = {};
    const backends: Backends = {};
    for (const color of COLORS) {
      const slots = rows.filter((row) => row.color === color);
      const serving = inPool.filter((row) => row.color === color);
      const sum = serving.reduce((acc, row) => acc + row.userWeight, 0);
      if (sum > 0) weights[color] = Math.round((sum / total) * 100);
      // A color in the pool shows the replicas that serve; one out of the
      // pool shows every slot's address.
      backends[color] = (serving.length > 0 ? serving : slots).map(
        (row) => `${row.address}:${row.port}`,
      );
    }
    return { weights, backends };
  }

  async apply(weights: Weights, backends: Backends): Promise<void> {
    const rows = await this.servers();
    const current = await this.read();
    // Raise the growing colors before lowering the others, so the share of
    // a shrinking color only falls and the pool is never empty.
    const growing = COLORS.filter(
      (color) => (weights[color] ?? 0) > (current.weights[color] ?? 0),
    );
    const rest = COLORS.filter((color) => !growing.includes(color));
    for (const color of [...growing, ...rest]) {
      const slots = rows.filter((row) => row.color === color);
      const target = weights[color] ?? 0;
      const addresses = target > 0 ? (backends[color] ?? []) : [];
      if (addresses.length > slots.length) {
        throw new ConfigurationError(
          `HAProxy backend "${this.settings.backend}" declares ${slots.length} server slot(s) for ${color} (${slots.map((row) => row.name).join(', ')}), but ${addresses.length} replicas need one each. Add servers named ${color}-2, ${color}-3 and so on.`,
        );
      }
      for (const [index, slot] of slots.entries()) {
        await this.setSlot(slot, addresses[index], target, addresses.length);
      }
    }
  }

  /** Points one server slot at a replica with its share, or takes it out. */
  private async setSlot(
    slot: ServerRow,
    address: string | undefined,
    percent: number,
    replicas: number,
  ) {
    const server = `${this.settings.backend}/${slot.name}`;
    if (!address) {
      await this.command(`set server ${server} state maint`);
      return;
    }
    if (address !== `${slot.address}:${slot.port}`) {
      const [host, port] = splitAddress(address);
      await this.command(`set server ${server} addr ${host} port ${port}`);
    }
    await this.command(
      `set server ${server} weight ${replicaWeight(percent, replicas)}`,
    );
    await this.command(`set server ${server} state ready`);
  }

  async verify(weights: Weights, backends: Backends): Promise<void> {
    const live = await this.read();
    const wrongBackend = COLORS.find(
      (color) =>
        (weights[color] ?? 0) > 0 &&
        backends[color] !== undefined &&
        !sameAddresses(live.backends[color], backends[color]),
    );
    if (!sameWeights(live.weights, weights) || wrongBackend) {
      throw new Error(
        `HAProxy backend ${this.settings.backend} serves ${describeWeights(live.weights)} ` +
          `(${JSON.stringify(live.backends)}), expected ${describeWeights(weights)} ` +
          `(${JSON.stringify(backends)}).`,
      );
    }
  }

  /** Current sessions on a color's servers, from `show stat`. */
  async activeSessions(color: Color): Promise<number> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n');
    const header = lines[0].replace(/^# /, '').split(',');
    const column = (name: string) => header.indexOf(name);
    let sessions = 0;
    for (const line of lines.slice(1)) {
      const fields = line.split(',');
      if (
        fields[column('pxname')] === this.settings.backend &&
        colorOfServer(fields[column('svname')]) === color
      ) {
        sessions += Number(fields[column('scur')] || 0);
      }
    }
    return sessions;
  }

  private async servers(): Promise<ServerRow[]> {
    const output = await this.command(
      `show servers state ${this.settings.backend}`,
    );
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    const headerLine = lines.find((line) => line.startsWith('#'));
    if (!headerLine) {
      throw new ConfigurationError(
        `HAProxy returned no server state for backend "${this.settings.backend}" (${output.trim()}). Set input "haproxy-backend" to the backend that contains the servers named blue and green.`,
      );
    }
    const header = headerLine.replace(/^#\s*/, '').split(/\s+/);
    const index = (name: string) => header.indexOf(name);
    const rows = lines
      .filter((line) => !line.startsWith('#') && /\s/.test(line))
      .map((line) => line.split(/\s+/))
      .map((fields) => ({
        name: fields[index('srv_name')],
        address: fields[index('srv_addr')],
        port: fields[index('srv_port')],
        adminState: Number(fields[index('srv_admin_state')]),
        operationalState: Number(fields[index('srv_op_state')]),
        userWeight: Number(fields[index('srv_uweight')]),
        color: colorOfServer(fields[index('srv_name')]),
      }))
      .sort((a, b) => slotOrder(a.name) - slotOrder(b.name));
    for (const color of COLORS) {
      if (!rows.some((row) => row.name === color)) {
        throw new Error(
          `HAProxy backend "${this.settings.backend}" has no server named "${color}". Declare "server blue ..." and "server green ..." in it.`,
        );
      }
    }
    return rows.filter((row) => row.color !== undefined);
  }
}

/** Returns the color of a server slot named `blue`, `blue-2`, `green-3` and so on. */
function colorOfServer(name: string | undefined): Color | undefined {
  const match = /^(blue|green)(?:-(\d+))?$/.exec(name ?? '');
  return match ? (match[1] as Color) : undefined;
}

/** Replica number of a slot: 1 for `blue`, 2 for `blue-2`. */
function slotOrder(name: string): number {
  return Number(/-(\d+)$/.exec(name)?.[1] ?? 1);
}

function splitAddress(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), address.slice(colon + 1)];
}

/**
 * Sends a command over the runtime API socket (a unix path, or host:port)
 * and resolves with everything HAProxy writes before it closes.
 */
export function sendCommand(
  socket: string,
  line: string,
  timeoutMs = 5000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const tcp = /^([^/][^:]*):(\d+)$/.exec(socket);
    const connection = tcp
      ? createConnection({ host: tcp[1], port: Number(tcp[2]) })
      : createConnection({ path: socket.replace(/^unix:/, '') });
    const chunks: Buffer[] = [];
    connection.setTimeout(timeoutMs, () => {
      connection.destroy(
        new Error(
          `HAProxy runtime API at ${socket} timed out after ${timeoutMs} ms`,
        ),
      );
    });
    connection.on('connect', () => connection.end(`${line}\n`));
    connection.on('data', (chunk) => chunks.push(chunk));
    connection.on('error', (error) =>
      reject(
        new Error(
          `HAProxy runtime API at ${socket} failed: ${error.message}. Check input "haproxy-socket" and that HAProxy runs with "stats socket ${socket} level admin".`,
        ),
      ),
    );
    connection.on('close', () =>
      resolve(Buffer.concat(chunks).toString('utf8')),
    );
  });
}
