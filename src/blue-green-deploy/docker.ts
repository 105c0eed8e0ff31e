import Docker from 'dockerode';
import { ConfigurationError } from '../shared/errors.js';

/** Credentials for an `ssh://` Docker host. */
export interface SshSettings {
  /** Private key in OpenSSH or PEM format; without it the SSH agent is used. */
  privateKey?: string;
  /** Expected host key, as a known_hosts or .pub line (`ssh-ed25519 AAAA...`). */
  hostKey?: string;
}

/**
 * Connects to the Docker Engine at `host`: undefined for the local socket
 * (or DOCKER_HOST), `unix:///path`, `tcp://host:port` or `ssh://user@host`.
 * Over SSH the engine is reached through `docker system dial-stdio` on the
 * remote host, as the Docker CLI does.
 */
export function connectDocker(
  host: string | undefined,
  ssh: SshSettings = {},
): Docker {
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
        sshOptions: {
          agent: process.env.SSH_AUTH_SOCK,
          privateKey: ssh.privateKey,
          hostVerifier: ssh.hostKey ? hostKeyVerifier(ssh.hostKey) : undefined,
        },
      } as Docker.DockerOptions);
    default:
      throw invalidHost(host);
  }
}

/** Accepts only the host key whose base64 blob `line` contains. */
function hostKeyVerifier(line: string): (key: Buffer) => boolean {
  const blob = line
    .trim()
    .split(/\s+/)
    .find((part) => /^AAAA[0-9A-Za-z+/=]+$/.test(part));
  if (!blob) {
    throw new ConfigurationError(
      'Input "docker-ssh-host-key" contains no SSH public key. Use the line that ssh-keyscan prints for the host, such as "ssh-ed25519 AAAAC3...".',
    );
  }
  return (key: Buffer) => key.toString('base64') === blob;
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

/** Returns true when Docker returned 404 for the object. */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}
