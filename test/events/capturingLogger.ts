/** A logger that keeps what it is told, so a test can assert that something was logged. */
import type { Logger } from '../../subgraphs/kit/src';

/** One captured line. */
export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A {@link Logger} whose lines (children's included) land in `lines`. */
export function createCapturingLogger(lines: CapturedLine[] = [], base: Record<string, unknown> = {}): Logger & { lines: CapturedLine[] } {
  const write = (level: CapturedLine['level']) => (message: string, fields: Record<string, unknown> = {}) => {
    lines.push({ level, message, fields: { ...base, ...fields } });
  };
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createCapturingLogger(lines, { ...base, ...fields }),
  };
}
