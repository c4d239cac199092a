import type { MetricsLine, RunDir } from '../../run/index.js';
import { nullNonFinite } from './finite.js';

/**
 * The run's metrics.jsonl as it grows: each epoch's line is appended with every non-finite number written as null
 * (and its path listed under `nonFinite`), and the file is rewritten atomically, so it never holds half a line.
 */
export class MetricsLog {
  constructor(private readonly dir: RunDir, readonly lines: MetricsLine[], private readonly onLine?: (line: MetricsLine) => void) {}

  append(line: MetricsLine): void {
    const { value, nonFinite } = nullNonFinite(line);
    const clean = value as MetricsLine;
    if (nonFinite.length) clean.nonFinite = nonFinite;
    this.lines.push(clean);
    this.dir.writeMetrics(this.lines);
    this.onLine?.(clean);
  }
}
