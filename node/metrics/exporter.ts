// One prom-client Registry per node process: Streamwell's families plus Node's process metrics
// (prefixed streamwell_), rendered at scrape time from a snapshot. No counter anywhere else in
// the code: the runtime keeps its own numbers and this reads them when Prometheus asks.
import { collectDefaultMetrics, Registry } from "prom-client";
import { type Families, fillFamilies, registerFamilies } from "./families.js";
import type { MetricsSnapshot } from "./snapshot.js";

export const METRIC_PREFIX = "streamwell_";
/**
 * How often the event loop lag histogram samples (prom-client's default is 10 ms: a wake-up 100
 * times a second, 0.55 % of a core on an idle process, more than the whole idle node's budget; at
 * 100 ms, 0.06 %). Its min/mean/percentiles read this interval plus the lag (docs/monitoring.md).
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

export interface Exposition {
  readonly contentType: string;
  readonly text: string;
}

export class MetricsExporter {
  readonly registry = new Registry();
  private readonly families: Families;
  /** Scrapes run one after another, so a fill never lands between another's fill and render. */
  private queue: Promise<unknown> = Promise.resolve();

  /** `processMetrics`: Node's default metrics (CPU, memory, event loop, GC), labelled with the node. */
  constructor(options: { readonly node: string; readonly processMetrics: boolean }) {
    if (options.processMetrics) {
      collectDefaultMetrics({
        register: this.registry,
        prefix: METRIC_PREFIX,
        labels: { node: options.node },
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      });
    }
    this.families = registerFamilies(this.registry);
  }

  render(snapshot: MetricsSnapshot): Promise<Exposition> {
    const run = this.queue.then(async () => {
      fillFamilies(this.families, snapshot);
      return { contentType: this.registry.contentType, text: await this.registry.metrics() };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
