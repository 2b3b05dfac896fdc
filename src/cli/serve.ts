/** `tower serve`: start the control plane and run until SIGINT or SIGTERM. */
import { parseServeConfig } from '../config/serve-config';
import { createLogger } from '../observability/logger';
import type { Io } from './main';

/** Hard limit on a graceful shutdown before the process gives up waiting. */
const shutdownTimeoutMs = 10_000;

export async function runServe(argv: readonly string[], io: Io): Promise<number> {
  const config = parseServeConfig(argv, io.env);
  const logger = createLogger({ level: config.logLevel });
  // A stray rejected promise in some component is logged, not fatal: clients keep
  // being served. An uncaught exception may have left state half-updated: exit 1.
  const onRejection = (reason: unknown): void => logger.error({ err: reason }, 'unhandled promise rejection');
  const onException = (err: Error): void => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    logger.flush();
    process.exit(1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  // Handlers go in before anything starts: a signal during start-up (loading
  // Envoy's protos takes seconds) still shuts down gracefully.
  let onSignal!: (s: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (s) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(s);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  let tower;
  try {
    const { startTower } = await import('../app/start-tower');
    tower = await startTower(config, { logger });
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    throw err;
  }
  const signal = await signalled;
  logger.info({ signal }, 'shutting down');
  // A second signal, or a shutdown that hangs, ends the process at once.
  const force = (): void => {
    logger.warn('shutdown interrupted; exiting now');
    process.exit(1);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  const timer = setTimeout(force, shutdownTimeoutMs);
  timer.unref();
  try {
    await tower.close();
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', force);
    process.off('SIGTERM', force);
  }
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  logger.info('stopped');
  logger.flush();
  return 0;
}
