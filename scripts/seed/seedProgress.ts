/**
 * How a seed reports its progress: each seeder says which collection it is about to write and how
 * many documents, then how many it wrote after each batch; {@link SeedProgressBar} draws that on
 * stderr, so stdout keeps only the seed's own log lines (and a redirect of stdout stays clean).
 *
 * TTY-aware: on a terminal, one line redrawn in place (at most ten times a second) with a bar, the
 * count, the rate in documents per second and the time left, and one line left behind per finished
 * collection; anywhere else (CI logs, a pipe, a file) no bar and no carriage returns, a plain line
 * every few seconds and one per finished collection.
 */

/** What a seeder reports as it writes. */
export interface SeedProgress {
  /**
   * `total` documents of `label` (a collection) are about to be written; with a `unit` other than
   * `docs` (e.g. generating the dataset) the work is shown but not counted as documents written.
   */
  begin(label: string, total: number, unit?: string): void;
  /** `count` more of them are done. */
  advance(count: number): void;
}

/** Reports nothing (tests, the benchmark's quiet mode). */
export const SILENT_PROGRESS: SeedProgress = { begin: () => undefined, advance: () => undefined };

/** The same progress with `prefix.` before every label (the database name before each collection). */
export function prefixedProgress(progress: SeedProgress, prefix: string): SeedProgress {
  return { begin: (label, total, unit) => progress.begin(`${prefix}.${label}`, total, unit), advance: (count) => progress.advance(count) };
}

/** Where {@link SeedProgressBar} writes. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options for {@link SeedProgressBar}. */
export interface SeedProgressBarOptions {
  /** @default process.stderr */
  stream?: ProgressStream;
  /** Redraw in place. @default stream.isTTY */
  interactive?: boolean;
  /** Least time between two plain lines when not interactive. @default 5000 */
  lineEveryMs?: number;
  /** The clock (tests pass their own). @default Date.now */
  now?: () => number;
}

/** One label's numbers. */
interface Phase {
  label: string;
  unit: string;
  total: number;
  done: number;
  startedAt: number;
}

const BAR_WIDTH = 24;
const REDRAW_EVERY_MS = 100;

/** A whole number with thousands separators: 1,000,000. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Seconds as m:ss (or h:mm:ss). */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** Documents per second over `seconds`; 0 before any time has passed. */
function rateOf(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0;
}

/** The progress bar (see module comment). */
export class SeedProgressBar implements SeedProgress {
  private readonly stream: ProgressStream;
  private readonly interactive: boolean;
  private readonly lineEveryMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private phase: Phase | undefined;
  /** Documents done over every label, for the final figure. */
  private written = 0;
  /** When the current label was last drawn; undefined before its first line. */
  private lastDrawAt: number | undefined;
  private drawn = false;

  constructor(options: SeedProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? this.stream.isTTY === true;
    this.lineEveryMs = options.lineEveryMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  begin(label: string, total: number, unit = 'docs'): void {
    this.complete();
    this.phase = { label, unit, total, done: 0, startedAt: this.now() };
    this.lastDrawAt = undefined;
    this.draw();
  }

  advance(count: number): void {
    const phase = this.phase;
    if (!phase) return;
    phase.done += count;
    if (phase.unit === 'docs') this.written += count;
    if (phase.done >= phase.total) this.complete();
    else this.draw();
  }

  /** Ends the current label and writes the summary line of the whole seed. */
  finish(what = 'documents'): void {
    this.complete();
    const seconds = (this.now() - this.startedAt) / 1000;
    this.stream.write(`seeded ${formatCount(this.written)} ${what} in ${formatDuration(seconds)} (${formatCount(rateOf(this.written, seconds))} docs/s)\n`);
  }

  // Private: the finished label gets its own permanent line, and the bar is gone from the screen.
  private complete(): void {
    const phase = this.phase;
    if (!phase) return;
    this.phase = undefined;
    const seconds = (this.now() - phase.startedAt) / 1000;
    this.clearLine();
    this.stream.write(`${phase.label}: ${formatCount(phase.done)} ${phase.unit} in ${seconds.toFixed(1)} s (${formatCount(rateOf(phase.done, seconds))} ${phase.unit}/s)\n`);
  }

  private draw(): void {
    const phase = this.phase;
    if (!phase) return;
    const at = this.now();
    const every = this.interactive ? REDRAW_EVERY_MS : this.lineEveryMs;
    if (this.lastDrawAt !== undefined && at - this.lastDrawAt < every) return;
    this.lastDrawAt = at;
    // A plain log gets its first line only after `lineEveryMs`, with something to say.
    if (!this.interactive && phase.done === 0) return;
    const line = this.lineOf(phase, at);
    if (this.interactive) {
      // Never wider than the terminal: a wrapped line could not be redrawn in place.
      this.stream.write(`\r\x1b[2K${line.slice(0, this.width() - 1)}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  private lineOf(phase: Phase, at: number): string {
    const share = phase.total > 0 ? Math.min(1, phase.done / phase.total) : 1;
    const seconds = (at - phase.startedAt) / 1000;
    const rate = rateOf(phase.done, seconds);
    const left = rate > 0 ? formatDuration((phase.total - phase.done) / rate) : '?';
    const filled = Math.round(share * BAR_WIDTH);
    // The bar only where there is room for it and the figures.
    const bar = this.interactive && this.width() >= 110 ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ` : '';
    return `${phase.label} ${bar}${(share * 100).toFixed(0)}% ${formatCount(phase.done)}/${formatCount(phase.total)} · ${formatCount(rate)} ${phase.unit}/s · ${left} left`;
  }

  private width(): number {
    const columns = this.stream.columns;
    return columns !== undefined && columns > 20 ? columns : 120;
  }

  private clearLine(): void {
    if (this.interactive && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
