import Docker from 'dockerode';
import { ConfigurationError } from '../shared/errors.js';

/**
 * Connects to the Docker Engine at `host`: undefined for the local socket
 * (or DOCKER_HOST), `unix:///path`, `tcp://host:port` or `ssh://user@host`.
 */
export function connectDocker(host: string | undefined): Docker {
  if (!host) return new Docker();
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw invalidHost(host);
  }
  switch (url.protocol) {
    case 'unix:':
      return new Docker({ socketPath: url.pathname });
    case 'tcp:':
    case 'http:':
      return new Docker({
        host: url.hostname,
        port: Number(url.port || 2375),
        protocol: 'http',
      });
    case 'https:':
      return new Docker({
        host: url.hostname,
        port: Number(url.port || 2376),
        protocol: 'https',
      });
    case 'ssh:':
      return new Docker({
        protocol: 'ssh',
        host: url.hostname,
        port: Number(url.port || 22),
        username: url.username || undefined,
      });
    default:
      throw invalidHost(host);
  }
}

function invalidHost(host: string): ConfigurationError {
  return new ConfigurationError(
    `Input "docker-host" is "${host}", which is not a Docker Engine address. Use unix:///var/run/docker.sock, tcp://HOST:2375 or ssh://USER@HOST, or leave it empty for the local socket.`,
  );
}

/** Splits the multiplexed stdout/stderr stream of a non-TTY container. */
export function demuxLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const streamType = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if (streamType > 2 || offset + 8 + size > buffer.length) {
      // Not a multiplexed stream: a TTY container writes plain text.
      return buffer.toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Returns the last `lines` lines of a container's output, or a note why not. */
export async function lastLogLines(
  container: Docker.Container,
  lines = 20,
): Promise<string> {
  try {
    const buffer = (await container.logs({
      stdout: true,
      stderr: true,
      tail: lines,
      follow: false,
    })) as unknown as Buffer;
    return demuxLogs(Buffer.from(buffer)).trimEnd() || '(no output)';
  } catch (error) {
    return `(logs unavailable: ${(error as Error).message})`;
  }
}

/** True when Docker answered 404 for the object. */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}
