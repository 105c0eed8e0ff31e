import { execFile } from 'node:child_process';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { demuxLogs } from '../docker.js';

const run = promisify(execFile);

/**
 * Host of a load balancer: the runner, driven through local files
 * and commands, or as a container on the Docker host, driven through the
 * Docker API (`exec`), so a remote Docker host needs nothing else.
 */
export interface BalancerHost {
  /** Human-readable place, for messages: "the runner" or "container X". */
  readonly where: string;
  /** Runs a command; resolves with its output, rejects with it on failure. */
  run(command: string[]): Promise<string>;
  /** Reads a file; undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Replaces a file atomically: a temporary file, then a rename. */
  writeFile(path: string, text: string): Promise<void>;
  /** Process ids whose parent is `pid`. */
  childPids(pid: number): Promise<number[]>;
}

/** Error of a command that exited non-zero, with its output. */
export class HostCommandError extends Error {
  override readonly name = 'HostCommandError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** Parent pid of each process in concatenated `/proc/<pid>/stat` lines. */
export function parseProcStat(text: string): { pid: number; ppid: number }[] {
  return text
    .split('\n')
    .filter((line) => line.includes(')'))
    .map((line) => {
      // The command name may hold spaces; the fields after its ")" are fixed.
      const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
      return { pid: Number.parseInt(line, 10), ppid: Number(fields[1]) };
    });
}

/** The runner itself. */
export const localHost: BalancerHost = {
  where: 'the runner',
  async run(command) {
    try {
      const { stdout, stderr } = await run(command[0], command.slice(1));
      return `${stdout}${stderr}`;
    } catch (error) {
      const output = (error as { stderr?: string }).stderr?.trim() ?? '';
      throw new HostCommandError(output || (error as Error).message, output);
    }
  },
  async readFile(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async writeFile(path, text) {
    const temporary = `${path}.tmp-${process.pid}`;
    await writeFile(temporary, text);
    await rename(temporary, path);
  },
  async childPids(pid) {
    const lines: string[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        lines.push(await readFile(`/proc/${entry}/stat`, 'utf8'));
      } catch {
        // The process ended while /proc was read.
      }
    }
    return parseProcStat(lines.join('\n'))
      .filter((entry) => entry.ppid === pid)
      .map((entry) => entry.pid);
  },
};

/**
 * Returns a host for a container on the Docker host. Commands run through
 * `docker exec`, so the container needs `sh`, `cat` and `mv`, which every nginx image has.
 */
export function containerHost(docker: Docker, name: string): BalancerHost {
  const container = docker.getContainer(name);

  async function exec(
    command: string[],
  ): Promise<{ code: number; output: string }> {
    let instance: Docker.Exec;
    try {
      instance = await container.exec({
        Cmd: command,
        AttachStdout: true,
        AttachStderr: true,
      });
    } catch (error) {
      throw new Error(
        `Could not run a command in balancer container "${name}": ${(error as Error).message}. Check input "router-container" and that the container runs.`,
        { cause: error },
      );
    }
    const stream = await instance.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const { ExitCode } = await instance.inspect();
    return { code: ExitCode ?? -1, output: demuxLogs(Buffer.concat(chunks)) };
  }

  return {
    where: `container "${name}"`,
    async run(command) {
      const { code, output } = await exec(command);
      if (code !== 0)
        throw new HostCommandError(
          output.trim() || `exit code ${code}`,
          output,
        );
      return output;
    },
    async readFile(path) {
      const { code, output } = await exec(['cat', path]);
      return code === 0 ? output : undefined;
    },
    async writeFile(path, text) {
      // The text travels as an argument, so no quoting is involved.
      const { code, output } = await exec([
        'sh',
        '-c',
        'printf "%s" "$1" > "$2.tmp" && mv "$2.tmp" "$2"',
        'sh',
        text,
        path,
      ]);
      if (code !== 0) {
        throw new Error(
          `Writing ${path} in container "${name}" failed: ${output.trim()}`,
        );
      }
    },
    async childPids(pid) {
      const { output } = await exec([
        'sh',
        '-c',
        'cat /proc/[0-9]*/stat 2>/dev/null',
      ]);
      return parseProcStat(output)
        .filter((entry) => entry.ppid === pid)
        .map((entry) => entry.pid);
    },
  };
}
