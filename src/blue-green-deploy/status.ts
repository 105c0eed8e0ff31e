import { listColors, removeColor, type ColorContainer } from './containers.js';
import { readLive, type Context, type Outcome } from './context.js';
import { acquireLock, releaseLock } from './lock.js';
import { COLORS, otherColor } from './routers/router.js';

/** Reports colors, images, weights and what is live, changing nothing. */
export async function status(context: Context): Promise<Outcome> {
  const { settings } = context;
  const { state, colors, record, live } = await readLive(context);

  const rows = COLORS.map((color) => {
    const container = colors[color];
    return [
      color,
      container?.image ?? '(none)',
      container ? describeReplicas(container) : '-',
      `${state.weights[color] ?? 0}%`,
      state.backends[color]?.join(' ') || '-',
      color === live
        ? 'live'
        : record.previous?.color === color
          ? `rollback until ${record.previous.keepUntil}`
          : '',
    ];
  });
  const active =
    live && colors[live]
      ? { color: live, image: colors[live]!.image }
      : undefined;
  const previousColor = live ? otherColor(live) : undefined;
  const previous =
    previousColor && colors[previousColor]
      ? { color: previousColor, image: colors[previousColor]!.image }
      : undefined;
  return {
    result: 'status',
    message: live
      ? `${settings.service}: ${live} is live with ${colors[live]?.image ?? 'an unknown image'}.`
      : `${settings.service}: no color is in the balancer's pool.`,
    active,
    previous,
    tables: [
      {
        title: 'Colors',
        header: ['color', 'image', 'container', 'weight', 'backend', 'role'],
        rows,
      },
    ],
  };
}

/**
 * Stops and removes colors that are out of the pool and past their rollback
 * window. A color in the pool is never touched.
 */
export async function cleanup(context: Context): Promise<Outcome> {
  // A deploy in progress owns its colors; cleanup waits its turn.
  await context.timeline.phase('Take deploy lock', () => acquireLock(context));
  try {
    return await cleanupLocked(context);
  } finally {
    await releaseLock(context);
  }
}

async function cleanupLocked(context: Context): Promise<Outcome> {
  const { settings, docker, timeline } = context;
  const now = Date.now();
  const removed = await timeline.phase(
    'Remove expired colors',
    async () => {
      const state = await context.router.read();
      const colors = await listColors(docker, settings.service);
      const { record } = await context.records.read();
      const gone: string[] = [];
      for (const color of COLORS) {
        const container = colors[color];
        if (!container || (state.weights[color] ?? 0) > 0) continue;
        if (record.inProgress?.color === color) continue;
        const keep =
          record.previous?.color === color &&
          record.previous.image === container.image
            ? Date.parse(record.previous.keepUntil)
            : 0;
        if (keep > now) {
          context.logger.info(
            `${color} (${container.image}) is kept until ${record.previous!.keepUntil}.`,
          );
          continue;
        }
        // docker stop sends SIGTERM and waits for the container's stop timeout.
        await Promise.all(
          container.replicas
            .filter((replica) => replica.running)
            .map((replica) =>
              docker
                .getContainer(replica.id)
                .stop()
                .catch(() => undefined),
            ),
        );
        await removeColor(docker, container);
        gone.push(`${color} (${container.image})`);
      }
      return gone;
    },
    (gone) => (gone.length ? `removed ${gone.join(', ')}` : 'nothing expired'),
  );
  const after = await status(context);
  return {
    ...after,
    result: 'cleaned',
    message: removed.length
      ? `Removed ${removed.join(', ')}: out of the pool and past the rollback window.`
      : 'Nothing to remove: every color is live or inside its rollback window.',
  };
}

/** `running`, `stopped`, or for several replicas `3/3 running`. */
function describeReplicas(container: ColorContainer): string {
  const running = container.replicas.filter(
    (replica) => replica.running,
  ).length;
  if (container.replicas.length === 1) return running ? 'running' : 'stopped';
  return `${running}/${container.replicas.length} running`;
}
