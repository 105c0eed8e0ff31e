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
