import { formatDuration } from '../shared/duration.js';
import type { Context } from './context.js';
import type { DeployRecord } from './record.js';

/** Another run holds the service's deploy lock. */
export class LockedError extends Error {
  override readonly name = 'LockedError';
}

/** A rollback took the lock over while this run held it. */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';
}

/**
 * Takes the service's deploy lock, held in the deploy record on the Docker
 * host. A lock whose holder stopped renewing it expires after `lock-ttl`,
 * so a crashed runner blocks the next deploy only that long. `takeOver`
 * lets a rollback end a deploy that is still running.
 */
export async function acquireLock(
  context: Context,
  options: { image?: string; takeOver?: boolean } = {},
): Promise<DeployRecord> {
  const { settings, records, logger } = context;
  const owner = settings.runRef;
  return records.update((record) => {
    const lock = record.lock;
    if (lock && lock.owner !== owner) {
      const held = Date.parse(lock.expires) > Date.now();
      if (held && !options.takeOver) {
        throw new LockedError(
          `Service "${settings.service}" is locked by run ${lock.owner} until ${lock.expires}: one deploy per service runs at a time. Wait for that run, or for the lock to expire if it crashed.`,
        );
      }
      logger.warning(
        held
          ? `Taking the deploy lock over from run ${lock.owner}: a rollback ends any deploy in progress.`
          : `The lock of run ${lock.owner} expired at ${lock.expires}; taking it over.`,
      );
    }
    return { ...record, lock: { owner, expires: expiry(context) } };
  }, options.image);
}

/**
 * Extends the lock; called at each step and analysis round so a live run
 * keeps it. Raises LockLostError when a rollback has taken it over.
 */
export async function renewLock(context: Context): Promise<void> {
  await context.records.update((record) => {
    // This run took the lock, so a lock held by another run, or none at
    // all, means a rollback took it over (and may have released it since).
    if (record.lock?.owner !== context.settings.runRef) {
      throw new LockLostError(
        `Another run took the deploy lock over (a rollback${record.lock ? ` by ${record.lock.owner}` : ''}); this run stops without changing traffic further.`,
      );
    }
    return {
      ...record,
      lock: { owner: context.settings.runRef, expires: expiry(context) },
    };
  });
}

/** Releases the lock if this run owns it; a failure only logs a warning. */
export async function releaseLock(context: Context): Promise<void> {
  try {
    await context.records.update((record) => {
      if (record.lock?.owner !== context.settings.runRef) return record;
      const { lock: _lock, ...rest } = record;
      return rest;
    });
  } catch (error) {
    context.logger.warning(
      `Could not release the deploy lock; it expires by itself within ${formatDuration(context.settings.lockTtlMs)}. ${(error as Error).message}`,
    );
  }
}

function expiry(context: Context): string {
  return new Date(Date.now() + context.settings.lockTtlMs).toISOString();
}

/**
 * Renews the lock every third of its time to live while `work` runs, so a
 * long image pull or health check never lets it expire. A lost lock is
 * left for the next checkpoint (`renewLock`) to report.
 */
export async function withLockHeartbeat<T>(
  context: Context,
  work: () => Promise<T>,
): Promise<T> {
  let lost = false;
  const timer = setInterval(
    () => {
      if (lost) return;
      renewLock(context).catch((error: unknown) => {
        if (error instanceof LockLostError) lost = true;
        else
          context.logger.debug(
            `lock renewal failed: ${(error as Error).message}`,
          );
      });
    },
    Math.max(1000, context.settings.lockTtlMs / 3),
  );
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
