import { databaseUnavailable } from './db/errors.ts';
import type { Logger } from './logger.ts';

/**
 * A database restart must not take a process down with it. The job runner's library (graphile-worker) can reject
 * an internal promise nobody awaits when Postgres goes away mid-job (recording a failure it cannot reach), which
 * Node turns into a crash. Such a rejection is logged and the process goes on: its pools reconnect, and the job is
 * handed out again once the runner that held it is seen gone. Any other unhandled rejection still ends the process.
 */
export function surviveDatabaseOutages(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    const down = databaseUnavailable(reason);
    if (down) {
      log.warn({ code: down.code, reason: down.message }, 'database unavailable (unhandled in a library); carrying on');
      return;
    }
    log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
}

/** Whether a process of this pid exists (one of another user's counts: signalling it is refused, not failed). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
