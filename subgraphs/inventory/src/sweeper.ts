/**
 * The periodic clean-up of inventory: expired and abandoned reservations, interrupted releases,
 * commits and restocks. Started with the server and stopped before it closes, so no sweep ever runs
 * against a closed connection pool.
 */
import type { Logger } from '../../kit/src';

/** One pass of the clean-up; resolves with counts of what it did, for the log. */
export type SweepTask = () => Promise<Record<string, number>>;

/** A running sweeper. */
export interface Sweeper {
  /** Starts sweeping every interval (no-op when the interval is 0 or it already runs). */
  start(): void;
  /** Stops the timer and waits for a sweep in progress to finish. */
  stop(): Promise<void>;
}

/** Creates a sweeper that runs `task` every `intervalSeconds` (0 = never). */
export function createSweeper(task: SweepTask, intervalSeconds: number, logger: Logger): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const runOnce = () => {
    // Never two sweeps at once: a slow sweep simply delays the next one.
    if (running) return;
    running = task()
      .then((counts) => {
        if (Object.values(counts).some((count) => count > 0)) logger.info('inventory sweep', counts);
      })
      .catch((error: unknown) => logger.error('inventory sweep failed; the next one retries', { error }))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      if (timer || intervalSeconds <= 0) return;
      timer = setInterval(runOnce, intervalSeconds * 1000);
      // The sweep alone must not keep a process alive.
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
