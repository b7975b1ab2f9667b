/**
 * The few Prometheus metric kinds the gateway and the subgraphs need — counters, histograms and gauges
 * read at scrape time — rendered in the text exposition format (version 0.0.4). Small on purpose:
 * recording is a Map lookup and an add, with no dependency, and label values are bounded by the callers.
 */

/** Label names to values of one series. */
export type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Something the registry can render. */
export interface Metric {
  render(): string;
}

/** A monotonically increasing count per label set. */
export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  /** Adds `by` to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const series = this.values.get(key);
    if (series) series.value += by;
    else this.values.set(key, { labels, value: by });
  }

  /** The current value of one series (tests, /health). */
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, { value }] of this.values) lines.push(`${this.name}${key} ${value}`);
    return lines.join('\n');
  }
}

/** Observations in cumulative buckets, per label set; seconds by convention. */
export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ) {}

  /** Records one observation. */
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    // Counts per bucket are stored non-cumulatively; render() accumulates.
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) entry.counts[index] = (entry.counts[index] ?? 0) + 1;
    entry.sum += value;
    entry.count += 1;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += counts[index] ?? 0;
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

/**
 * A value read when scraped, one per label set. `type` is `counter` for a total kept elsewhere and
 * only read here (the process's CPU time, the driver's command count).
 */
export class Gauge {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly read: () => Iterable<[Labels, number]>,
    private readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [labels, value] of this.read()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

/**
 * Keeps a label whose values callers choose (operation names) bounded: the first `max` distinct values
 * are their own series, later ones are reported as `other`, and a missing value as `anonymous`.
 */
export class BoundedLabelValues {
  private readonly seen = new Set<string>();

  /** @param max @default 200 */
  constructor(private readonly max = 200) {}

  /** The label value to record for `value`. */
  of(value: string | null | undefined): string {
    if (!value) return 'anonymous';
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

/** The metrics of one process, rendered for `/metrics`. */
export class MetricRegistry {
  private readonly metrics: Metric[] = [];

  /** Adds and returns `metric`. */
  register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }

  /** The Prometheus text format. */
  render(): string {
    return `${this.metrics.map((metric) => metric.render()).join('\n')}\n`;
  }
}
