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
}

/**
 * What blue-green-deploy remembers between runs. What is live is read from
 * the balancer; the record keeps only what the balancer cannot tell.
 */
export interface DeployRecord {
  /** The last version that took all traffic through a completed deploy. */
  promoted?: Release;
  /** The version it replaced, kept for rollback until `keepUntil`. */
  previous?: Release & { keepUntil: string };
  /** Deploy lock: the run that holds it and when it expires. */
  lock?: { owner: string; expires: string };
}

/**
 * Stores the record in the labels of a container that is created but never
 * started. Docker cannot change a container's labels, so each change
 * creates a new record container with a higher sequence number and then
 * removes the older ones.
 */
export class RecordStore {
  private readonly name: string;

  constructor(
    private readonly docker: Docker,
    private readonly service: string,
  ) {
    this.name = `${service}-deploy-record`;
  }

  async read(): Promise<{ record: DeployRecord; sequence: number }> {
    const records = await this.list();
    const newest = records[0];
    if (!newest) return { record: {}, sequence: 0 };
    return {
      record: JSON.parse(newest.Labels[LABELS.record] ?? '{}') as DeployRecord,
      sequence: Number(newest.Labels[LABELS.sequence] ?? 0),
    };
  }

  /**
   * Writes `record` as the next sequence. `image` is any image present on
   * the host: the record container is never started, so which one does not
   * matter.
   */
  async write(record: DeployRecord, image: string): Promise<void> {
    const { sequence } = await this.read();
    const next = sequence + 1;
    await this.docker.createContainer({
      name: `${this.name}-${next}`,
      Image: image,
      Cmd: ['record'],
      Entrypoint: ['/bin/false'],
      Labels: {
        [LABELS.service]: this.service,
        [LABELS.role]: 'record',
        [LABELS.sequence]: String(next),
        [LABELS.record]: JSON.stringify(record),
      },
      HostConfig: { NetworkMode: 'none' },
    });
    for (const old of await this.list()) {
      if (Number(old.Labels[LABELS.sequence]) < next) {
        await this.remove(old.Id);
      }
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
    return containers.sort(
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
