import type Docker from 'dockerode';
import { isNotFound } from './docker.js';
import { LABELS } from './labels.js';
import type { Color } from './routers/router.js';

/** A version of the service that ran as one color. */
export interface Release {
  color: Color;
  image: string;
  /** When it became fully live, or when it was taken out of the pool. */
  at: string;
  /** The GitHub deployment that made it live, when Deployments are on. */
  deploymentId?: number;
}

/** A canary deploy that has started and not yet been promoted or ended. */
export interface InProgress {
  color: Color;
  image: string;
  /** Traffic steps in percent, ending at 100. */
  steps: number[];
  /** Index of the step the canary has reached. */
  stepIndex: number;
  /** True when the deploy waits at a manual gate for `mode: promote`. */
  paused: boolean;
  /** The run that started it. */
  owner: string;
  /** The GitHub deployment that tracks it, when Deployments are on. */
  deploymentId?: number;
  /** Replicas the canary color runs. */
  replicas?: number;
  startedAt: string;
}

/**
 * State that blue-green-deploy keeps between runs. What is live is read from
 * the balancer; the record keeps only what the balancer cannot tell.
 */
export interface DeployRecord {
  /** The last version that took all traffic through a completed deploy. */
  promoted?: Release;
  /** The version it replaced, kept for rollback until `keepUntil`. */
  previous?: Release & { keepUntil: string };
  /** A canary deploy under way or paused. */
  inProgress?: InProgress;
  /** Deploy lock: the run that holds it and when it expires unless renewed. */
  lock?: { owner: string; expires: string };
}

/** Another run wrote the record between this run's read and write. */
export class RecordConflictError extends Error {
  override readonly name = 'RecordConflictError';
}

/**
 * Stores the record in the labels of a container that is created but never
 * started. Docker cannot change a container's labels, so each change
 * creates a new record container named after the next sequence number and
 * then removes the older ones. Two runs that write the same sequence
 * collide on the container name, which makes every write a compare-and-set.
 */
export class RecordStore {
  private readonly name: string;

  constructor(
    private readonly docker: Docker,
    private readonly service: string,
  ) {
    this.name = `${service}-deploy-record`;
  }

  async read(): Promise<{
    record: DeployRecord;
    sequence: number;
    image?: string;
  }> {
    const newest = (await this.list())[0];
    if (!newest) return { record: {}, sequence: 0 };
    return {
      record: JSON.parse(newest.Labels[LABELS.record] ?? '{}') as DeployRecord,
      sequence: Number(newest.Labels[LABELS.sequence] ?? 0),
      image: newest.Image,
    };
  }

  /**
   * Reads the record, applies `change` and writes the result as the next
   * sequence. Raises RecordConflictError when another run wrote first.
   * `image` is any image on the host, used only when no record exists yet:
   * the record container is never started.
   */
  async update(
    change: (record: DeployRecord) => DeployRecord,
    image?: string,
  ): Promise<DeployRecord> {
    // A write that loses the race reads the new record and applies the
    // change again, so `change` always receives the latest record.
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.read();
      const next = change(structuredClone(current.record));
      const recordImage = current.image ?? image;
      if (!recordImage) {
        throw new Error(
          'No image is known to create the deploy record container from.',
        );
      }
      try {
        await this.write(next, current.sequence + 1, recordImage);
        return next;
      } catch (error) {
        if (!(error instanceof RecordConflictError) || attempt >= 5)
          throw error;
      }
    }
  }

  private async write(record: DeployRecord, sequence: number, image: string) {
    try {
      await this.docker.createContainer({
        name: `${this.name}-${sequence}`,
        Image: image,
        Entrypoint: ['/record-is-never-started'],
        Labels: {
          [LABELS.service]: this.service,
          [LABELS.role]: 'record',
          [LABELS.sequence]: String(sequence),
          [LABELS.record]: JSON.stringify(record),
        },
        HostConfig: { NetworkMode: 'none' },
      });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 409) {
        throw new RecordConflictError(
          `Another run kept changing the deploy record of "${this.service}" (sequence ${sequence}); run this one again once it has finished.`,
        );
      }
      throw error;
    }
    for (const old of await this.list()) {
      if (Number(old.Labels[LABELS.sequence]) < sequence)
        await this.remove(old.Id);
    }
  }

  /** Record containers of the service, newest first. */
  private async list(): Promise<Docker.ContainerInfo[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: {
        label: [`${LABELS.service}=${this.service}`, `${LABELS.role}=record`],
      },
    });
    // Filter again by value: the Engine's label filter is not relied on
    // to combine several labels.
    return containers
      .filter(
        (c) =>
          c.Labels[LABELS.service] === this.service &&
          c.Labels[LABELS.role] === 'record',
      )
      .sort(
        (a, b) =>
          Number(b.Labels[LABELS.sequence] ?? 0) -
          Number(a.Labels[LABELS.sequence] ?? 0),
      );
  }

  private async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
