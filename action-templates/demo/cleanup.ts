import { readdirSync, readFileSync } from 'node:fs';
import { errorMessage } from '../../src/shared/errors.js';

/**
 * Cleanup tasks run once, newest first, whether the demo passes, throws or
 * is interrupted. A failing task is printed and the rest still run.
 */
export class Cleanup {
  private readonly tasks: { name: string; task: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly print: (line: string) => void) {}

  add(name: string, task: () => Promise<unknown>): void {
    this.tasks.push({ name, task });
  }

  /** Runs every task once; later calls wait for the first run. */
  run(): Promise<void> {
    this.running ??= this.runTasks();
    return this.running;
  }

  private async runTasks(): Promise<void> {
    for (const { name, task } of [...this.tasks].reverse()) {
      try {
        await task();
      } catch (error) {
        this.print(`cleanup of ${name} failed: ${errorMessage(error)}`);
      }
    }
  }
}

/**
 * Sends SIGTERM to this process's children that run the bundled action, so
 * an interrupted demo does not leave an action creating containers after
 * the cleanup removed them. Reads /proc, so it does nothing off Linux.
 */
export function stopChildActions(): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const pid of entries) {
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name in
      // field 2 may contain spaces, so fields are counted after its ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(
        stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1],
      );
      if (parent !== process.pid) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (command.includes('dist/blue-green-deploy/index.js')) {
        process.kill(Number(pid), 'SIGTERM');
      }
    } catch {
      // The process ended between listing and reading: nothing to stop.
    }
  }
}
