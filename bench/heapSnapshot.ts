/**
 * The retained heap of a running Node process, for the soak: the process is started with
 * `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=<dir>`; on SIGUSR2 it runs a full garbage collection
 * and writes a heap snapshot there, and the sum of the snapshot's node sizes is what the process
 * really holds. A soak's `heapUsed` floor moves with the collector's timing (a minute can end before
 * an old-space collection); two snapshots minutes apart say whether anything accumulates.
 *
 * The snapshot pauses the process for a few seconds while it is written.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Node flags that make a process write a heap snapshot into `directory` on SIGUSR2. */
export function heapSnapshotFlags(directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${directory}`];
}

const SNAPSHOT_TIMEOUT_MS = 180_000;

function snapshotsIn(directory: string): string[] {
  return readdirSync(directory).filter((file) => file.endsWith('.heapsnapshot'));
}

// Private: waits for a file not in `before` whose size has stopped changing for a second.
async function awaitNewSnapshot(directory: string, before: ReadonlySet<string>): Promise<string> {
  const deadline = Date.now() + SNAPSHOT_TIMEOUT_MS;
  let last = { file: '', size: -1 };
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const file = snapshotsIn(directory).find((name) => !before.has(name));
    if (!file) continue;
    const size = statSync(join(directory, file)).size;
    if (file === last.file && size === last.size && size > 0) return join(directory, file);
    last = { file, size };
  }
  throw new Error(`no heap snapshot appeared in ${directory} within ${SNAPSHOT_TIMEOUT_MS / 1000} s`);
}

/** The total self size of every node in a heap snapshot file, bytes. */
export function retainedBytesOf(file: string): number {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const stride = fields.length;
  const sizeAt = fields.indexOf('self_size');
  let total = 0;
  for (let index = sizeAt; index < snapshot.nodes.length; index += stride) total += snapshot.nodes[index] as number;
  return total;
}

/** Asks process `pid` (started with {@link heapSnapshotFlags}) for a snapshot; its retained heap, bytes. The file is deleted after reading. */
export async function retainedHeapOf(pid: number, directory: string): Promise<number> {
  const before = new Set(snapshotsIn(directory));
  process.kill(pid, 'SIGUSR2');
  const file = await awaitNewSnapshot(directory, before);
  try {
    return retainedBytesOf(file);
  } finally {
    rmSync(file, { force: true });
  }
}
