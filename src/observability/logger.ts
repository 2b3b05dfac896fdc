/** Tower's structured JSON logger (pino). */
import pino from 'pino';
import type { LogLevel } from '../config/settings';

export type Logger = pino.Logger;

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where JSON lines go; stdout when unset. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      name: 'tower',
      level: opts.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination(1),
  );
}
