/**
 * CPU time and resident memory of a process and its descendants, read from `/proc` (Linux), so the
 * harness can measure a child gateway — and Hive Gateway's workers, if it forks — from outside.
 * Elsewhere every figure is 0 and the table says "n/a".
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on every Linux build that matters). */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pid and every descendant of it that is alive. */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i += 1) {
    const current = pids[i] as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      for (const child of (read(`/proc/${current}/task/${task}/children`) ?? '').split(' ')) {
        const value = Number(child);
        if (child.trim() && Number.isInteger(value) && !pids.includes(value)) pids.push(value);
      }
    }
  }
  return pids;
}

/** User + system CPU seconds used so far by `pid` and its descendants. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const id of processTree(pid)) {
    const stat = read(`/proc/${id}/stat`);
    if (!stat) continue;
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Resident memory in bytes of `pid` and its descendants now. */
export function residentBytes(pid: number): number {
  let pages = 0;
  for (const id of processTree(pid)) {
    const statm = read(`/proc/${id}/statm`);
    if (statm) pages += Number(statm.split(' ')[1]);
  }
  return pages * PAGE_BYTES;
}

/** Samples the peak resident memory of a process tree until stopped. */
export class PeakMemory {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, intervalMs = 200) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, residentBytes(this.pid));
  }

  /** Stops sampling; the peak in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** Busy and total jiffies of the whole machine (all cores) from `/proc/stat`. */
export function machineJiffies(): { busy: number; total: number } {
  const line = (read('/proc/stat') ?? '').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}
