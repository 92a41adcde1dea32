import type { Logger } from 'pino';
import { ConfigError } from './env';

/** What every app's createApp() resolves to: the ports it bound, and a graceful stop. */
export interface RunningService {
  readonly name: string;
  readonly ports: Readonly<Record<string, number>>;
  /** Stops taking work, drains in-flight calls, releases connections. */
  close(): Promise<void>;
}

const SHUTDOWN_DEADLINE_MS = 8_000;

/**
 * Runs a service as a process: starts it, and on SIGTERM or SIGINT drains and exits;
 * a configuration error stops it at start with a message naming the variable.
 */
export function runService(start: () => Promise<RunningService>, logger: Logger, afterStop: () => Promise<void> = async () => undefined): void {
  let service: RunningService | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    const force = setTimeout(() => {
      logger.error('drain deadline passed, exiting');
      logger.flush();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    void (service ? service.close() : Promise.resolve())
      .then(afterStop)
      .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
      .finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  start()
    .then((running) => {
      service = running;
      logger.info({ ports: running.ports }, 'ready');
      if (stopping) void running.close();
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigError) {
        logger.fatal(error.message);
        process.stderr.write(`${error.message}\n`);
      } else {
        logger.fatal({ err: error }, 'failed to start');
      }
      logger.flush();
      setTimeout(() => process.exit(1), 50);
    });
}
