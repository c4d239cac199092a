/**
 * Source-image sampling per class without replacement: every class keeps a shuffled queue of its image indices and
 * draws from the front; only when a class is exhausted is its queue reshuffled and reused (so a split that needs
 * more images of a class than exist reuses each one as evenly as possible).
 */
import type { Rng } from '../../util/rng.js';
import { DatasetError } from './errors.js';

export class ClassPools {
  private readonly pools: Int32Array[];
  private readonly next: number[];

  constructor(classes: Uint8Array, K: number, private readonly rng: Rng, private readonly where: string) {
    const counts = new Array<number>(K).fill(0);
    for (const k of classes) if (k < K) counts[k]++;
    this.pools = counts.map((n) => new Int32Array(n));
    const fill = new Array<number>(K).fill(0);
    classes.forEach((k, i) => { if (k < K) this.pools[k][fill[k]++] = i; });
    for (const p of this.pools) rng.shuffle(p);
    this.next = new Array<number>(K).fill(0);
  }

  /** Number of source images of class k. */
  available(k: number): number {
    return this.pools[k].length;
  }

  /** Draws one source index of class k. */
  draw(k: number): number {
    const pool = this.pools[k];
    if (pool.length === 0) throw new DatasetError(`${this.where}: no source image of class ${k}`);
    if (this.next[k] === pool.length) {
      this.rng.shuffle(pool);
      this.next[k] = 0;
    }
    return pool[this.next[k]++];
  }
}
