/**
 * What every process of the estate reports about itself at `/metrics`, whatever it serves: memory by
 * kind (the soak bench watches RSS and heap stay flat), CPU time, and how late the event loop runs —
 * the first sign of a process taking more than it can (load shedding's `MAX_IN_FLIGHT_REQUESTS`).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Labels, type MetricRegistry } from './metricRegistry';

// Private: one event-loop monitor per process (it measures the process, not a server), started on
// first use; its timer does not keep the process alive.
let eventLoopDelay: IntervalHistogram | undefined;

function eventLoopMonitor(): IntervalHistogram {
  if (!eventLoopDelay) {
    eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
    eventLoopDelay.enable();
  }
  return eventLoopDelay;
}

/** Registers the process metrics in `registry`, each series with `labels` (e.g. `{ service }`). */
export function registerProcessMetrics(registry: MetricRegistry, labels: Labels = {}): void {
  const monitor = eventLoopMonitor();
  registry.register(
    new Gauge('zocalo_process_memory_bytes', 'Memory of the process by kind (rss, heapUsed, heapTotal, external).', () => {
      const usage = process.memoryUsage();
      return [
        [{ ...labels, kind: 'rss' }, usage.rss],
        [{ ...labels, kind: 'heapUsed' }, usage.heapUsed],
        [{ ...labels, kind: 'heapTotal' }, usage.heapTotal],
        [{ ...labels, kind: 'external' }, usage.external],
      ];
    }),
  );
  registry.register(
    new Gauge(
      'zocalo_process_cpu_seconds_total',
      'User and system CPU time of the process.',
      () => {
        const usage = process.cpuUsage();
        return [[labels, (usage.user + usage.system) / 1e6]];
      },
      'counter',
    ),
  );
  registry.register(
    new Gauge('zocalo_process_event_loop_delay_seconds', 'Event loop delay since the previous scrape, by quantile (0.5, 0.99, max).', () => {
      // Nanoseconds; NaN before the first sample.
      const read = (value: number) => (Number.isFinite(value) ? value / 1e9 : 0);
      const samples: [Labels, number][] = [
        [{ ...labels, quantile: '0.5' }, read(monitor.percentile(50))],
        [{ ...labels, quantile: '0.99' }, read(monitor.percentile(99))],
        [{ ...labels, quantile: 'max' }, read(monitor.max)],
      ];
      monitor.reset();
      return samples;
    }),
  );
}
