/** Command-line option parsing shared by the benchmark scripts (`npm run bench`, `bench:federation`, `soak`). */

/** `raw` as a positive number, `fallback` when absent; anything else is an error naming `flag`. */
export function positive(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

/** A comma-separated choice among `allowed` (all of them when absent), in `allowed`'s order. */
export function listOf<T extends string>(raw: string | undefined, allowed: readonly T[], flag: string): T[] {
  if (!raw) return [...allowed];
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`${flag}: unknown ${JSON.stringify(item)}; choose from ${allowed.join(', ')}`);
  return allowed.filter((item) => items.includes(item));
}
