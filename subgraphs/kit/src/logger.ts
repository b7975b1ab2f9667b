/**
 * Structured JSON logs, one object per line on stdout (stderr for errors), so an operator can grep and
 * a collector can parse. `LOG_LEVEL` (debug, info, warn, error, silent) sets the floor.
 */

/** Log severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A logger bound to a service name and optional fixed fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack, cause: value.cause ? serialise(value.cause) : undefined };
  return value;
}

/** Creates a JSON logger for `service`. @param level @default process.env.LOG_LEVEL ?? 'info' */
export function createLogger(service: string, level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info', base: Record<string, unknown> = {}): Logger {
  const floor = LEVELS[level] ?? LEVELS.info;
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < floor) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, service, msg: message, ...base };
    if (fields) for (const [key, value] of Object.entries(fields)) entry[key] = serialise(value);
    (lvl === 'error' ? process.stderr : process.stdout).write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(service, level, { ...base, ...fields }),
  };
}
