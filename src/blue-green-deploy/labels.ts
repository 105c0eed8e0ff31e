/**
 * Docker labels that blue-green-deploy sets. Every name has the one prefix
 * `io.resilience-actions.`, so `docker ps --filter label=...` finds them.
 */
export const LABEL_PREFIX = 'io.resilience-actions.';

export const LABELS = {
  /** Logical service name, the `service` input. */
  service: `${LABEL_PREFIX}service`,
  /** `color` for a serving container, `record` for the deploy record. */
  role: `${LABEL_PREFIX}role`,
  /** blue or green. */
  color: `${LABEL_PREFIX}color`,
  /** Replica number within the color, from 1. */
  replica: `${LABEL_PREFIX}replica`,
  /** Image reference the container was created from, as the user wrote it. */
  image: `${LABEL_PREFIX}image`,
  /** Version: the image tag, or the digest when there is no tag. */
  version: `${LABEL_PREFIX}version`,
  /** The run that created the container (repository, run id and attempt). */
  createdBy: `${LABEL_PREFIX}created-by`,
  /** Time the container was created, ISO 8601. */
  createdAt: `${LABEL_PREFIX}created-at`,
  /** The deploy record's JSON body. */
  record: `${LABEL_PREFIX}record`,
  /** Sequence number of a deploy record; the highest one is current. */
  sequence: `${LABEL_PREFIX}sequence`,
} as const;

/** Returns the version shown for an image reference: its tag or digest. */
export function versionOf(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1, at + 20);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : 'latest';
}
