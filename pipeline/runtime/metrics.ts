// The metrics every stage emits (style.md §8): received, sent, dropped{reason}, dead_lettered{reason},
// errors{type}, lag per partition; busy seconds of a stage's own threads. Plain counters in memory;
// `toPrometheus()` renders the text format.
export interface StageMetricsSnapshot {
  stage: string;
  received: number;
  sent: number;
  /** Messages done: outputs acknowledged and offset resolved (committed on the next commit). */
  resolved: number;
  dropped: Record<string, number>;
  deadLettered: Record<string, number>;
  errors: Record<string, number>;
  /** Messages behind the high watermark, per topic:partition, as of the last batch. */
  lag: Record<string, number>;
}

export class StageMetrics {
  received = 0;
  sent = 0;
  resolved = 0;
  readonly dropped = new Map<string, number>();
  readonly deadLettered = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly lag = new Map<string, number>();
  /**
   * Threads of this stage besides the process's main thread (the detect worker): cumulative milliseconds
   * their event loop was busy, by thread name. A rate near 1 s/s means the thread is what limits the stage.
   */
  readonly busy = new Map<string, () => number>();

  constructor(readonly stage: string) {}

  count(map: Map<string, number>, key: string, n = 1): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  totalLag(): number {
    let t = 0;
    for (const v of this.lag.values()) t += v;
    return t;
  }

  snapshot(): StageMetricsSnapshot {
    return {
      stage: this.stage,
      received: this.received,
      sent: this.sent,
      resolved: this.resolved,
      dropped: Object.fromEntries(this.dropped),
      deadLettered: Object.fromEntries(this.deadLettered),
      errors: Object.fromEntries(this.errors),
      lag: Object.fromEntries(this.lag),
    };
  }

  toPrometheus(): string {
    const s = JSON.stringify(this.stage);
    const lines = [
      `shelfwatch_stage_received_total{stage=${s}} ${this.received}`,
      `shelfwatch_stage_sent_total{stage=${s}} ${this.sent}`,
      `shelfwatch_stage_resolved_total{stage=${s}} ${this.resolved}`,
    ];
    for (const [r, n] of this.dropped) lines.push(`shelfwatch_stage_dropped_total{stage=${s},reason=${JSON.stringify(r)}} ${n}`);
    for (const [r, n] of this.deadLettered) lines.push(`shelfwatch_stage_dead_lettered_total{stage=${s},reason=${JSON.stringify(r)}} ${n}`);
    for (const [t, n] of this.errors) lines.push(`shelfwatch_stage_errors_total{stage=${s},type=${JSON.stringify(t)}} ${n}`);
    for (const [tp, n] of this.lag) lines.push(`shelfwatch_stage_lag{stage=${s},partition=${JSON.stringify(tp)}} ${n}`);
    for (const [t, ms] of this.busy) lines.push(`shelfwatch_stage_busy_seconds_total{stage=${s},thread=${JSON.stringify(t)}} ${(ms() / 1000).toFixed(3)}`);
    return lines.join('\n') + '\n';
  }
}
