import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const exec = promisify(execFile);

export interface SshServer {
  /** `ssh://root@127.0.0.1:PORT`, a docker-host value. */
  url: string;
  /** The client's private key, in OpenSSH format. */
  privateKey: string;
  /** The server's host key, as a .pub line. */
  hostKey: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's sshd on 127.0.0.1 with its own host key and one
 * authorized client key, so tests reach this machine's Docker Engine as an
 * ssh:// host. Needs root, like the Docker Engine itself.
 */
export async function startSshd(): Promise<SshServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sshd-'));
  const port = await freePort();
  await exec('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    join(dir, 'host_key'),
  ]);
  await exec('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-f',
    join(dir, 'client_key'),
  ]);
  await writeFile(
    join(dir, 'authorized_keys'),
    await readFile(join(dir, 'client_key.pub')),
  );
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'SetEnv PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      '',
    ].join('\n'),
  );
  // sshd refuses to start without its privilege separation directory.
  await mkdir('/run/sshd', { recursive: true });
  const child = spawn(
    '/usr/sbin/sshd',
    ['-D', '-e', '-f', join(dir, 'sshd_config')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr?.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `ssh://root@127.0.0.1:${port}`,
    privateKey: await readFile(join(dir, 'client_key'), 'utf8'),
    hostKey: (await readFile(join(dir, 'host_key.pub'), 'utf8')).trim(),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
