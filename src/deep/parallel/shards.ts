/**
 * Logical shards: how one global batch is split for data-parallel training, independently of how many worker threads
 * run it. The batch of B samples is cut into S contiguous shards, shard s holding positions
 * [⌊s·B/S⌋, ⌊(s+1)·B/S⌋); worker w of W processes the contiguous block of shards [⌊w·S/W⌋, ⌊(w+1)·S/W⌋) one after
 * the other. Because the step is defined per logical shard (BatchNorm statistics per shard, gradients summed over
 * shards in shard order), the result does not depend on W: one worker running all S shards computes the same step
 * as S workers running one each.
 */

export interface ShardRange {
  shard: number;
  start: number;
  end: number;
}

/** Throws an Error naming the problem when the counts do not describe a valid split. */
export function checkShardCounts(workers: number, shards: number): void {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`the number of workers must be a positive integer, got ${workers}`);
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`the number of logical shards must be a positive integer, got ${shards}`);
  if (shards < workers) throw new Error(`${shards} logical shards cannot keep ${workers} workers busy (need shards ≥ workers)`);
}

/** Positions [start, end) of shard s in a batch of `batch` samples split into `shards` shards (some may be empty). */
export function shardRange(batch: number, shards: number, s: number): ShardRange {
  return { shard: s, start: Math.floor((s * batch) / shards), end: Math.floor(((s + 1) * batch) / shards) };
}

/** The shards worker w processes, in order. */
export function shardsOfWorker(worker: number, workers: number, shards: number): number[] {
  const first = Math.floor((worker * shards) / workers);
  const last = Math.floor(((worker + 1) * shards) / workers);
  return Array.from({ length: last - first }, (_, i) => first + i);
}
