import type { Logger } from 'pino';
import { IMMEDIATE_DRAIN, RELEASE_BOUND_MS, type DrainLimits } from './drain';
import { ConfigError } from './env';

/** What every app's createApp() resolves to: the ports it bound, and a graceful stop. */
export interface RunningService {
  readonly name: string;
  readonly ports: Readonly<Record<string, number>>;
  /** DRAIN_GRACE_MS and DRAIN_TIMEOUT_MS of this service. */
  readonly drainLimits: DrainLimits;
  /** Stops taking work at once, lets in-flight calls finish (bounded), releases connections. */
  close(): Promise<void>;
  /**
   * The drain of a SIGTERM (drain.ts): readiness fails, requests are served for the grace period,
   * then new ones are refused while in-flight ones finish up to the timeout, the rest is cut,
   * and what close() releases is released. close() after it returns the same promise.
   */
  drain(): Promise<void>;
}

/**
 * Runs a service as a process: starts it, and on SIGTERM or SIGINT drains (RunningService.drain)
 * and exits, by force once grace + timeout + RELEASE_BOUND_MS passed; a configuration error stops
 * it at start with a message naming the variable.
 */
export function runService(start: () => Promise<RunningService>, logger: Logger, afterStop: () => Promise<void> = async () => undefined): void {
  let service: RunningService | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const limits = service?.drainLimits ?? IMMEDIATE_DRAIN;
    logger.info({ signal, graceMs: limits.graceMs, timeoutMs: limits.timeoutMs }, 'draining');
    const force = setTimeout(() => {
      logger.error('drain deadline passed, exiting');
      logger.flush();
      process.exit(1);
    }, limits.graceMs + limits.timeoutMs + RELEASE_BOUND_MS);
    force.unref();
    void (service ? service.drain() : Promise.resolve())
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
