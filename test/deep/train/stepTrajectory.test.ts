import { describe, expect, it } from 'vitest';
import { compareTrajectories, type Trajectory } from '../../../src/deep/train/stepTrajectory.js';

const ref: Trajectory = { losses: [2, 1.5, 1.2], weights: [Float32Array.from([1, -2, 0.5]), Float32Array.from([0.1, 0.2])] };
const copy = (t: Trajectory): Trajectory => ({ losses: [...t.losses], weights: t.weights.map((w) => w.slice()) });

describe('compareTrajectories', () => {
  it('accepts float32 rounding and reports the differences', () => {
    const got = copy(ref);
    got.losses[1] += 1e-5;
    got.weights[0][1] += 1e-4;
    const c = compareTrajectories(got, ref);
    expect(c).toMatchObject({ withinTolerance: true, trains: true });
    expect(c.maxLossDifference).toBeCloseTo(1e-5, 9);
    expect(c.maxWeightDifference).toBeCloseTo(1e-4 / 2, 6);
  });

  it('rejects a loss or a weight beyond tolerance, a NaN and a missing tensor, naming the first mismatch', () => {
    const loss = copy(ref);
    loss.losses[2] += 1e-3;
    expect(compareTrajectories(loss, ref)).toMatchObject({ withinTolerance: false, firstMismatch: expect.stringMatching(/loss of step 3/) });
    const weight = copy(ref);
    weight.weights[1][0] += 1e-3;
    expect(compareTrajectories(weight, ref)).toMatchObject({ withinTolerance: false, firstMismatch: expect.stringMatching(/weight tensor 1/) });
    const nan = copy(ref);
    nan.weights[0][2] = Number.NaN;
    expect(compareTrajectories(nan, ref).withinTolerance).toBe(false);
    expect(compareTrajectories({ losses: ref.losses, weights: [ref.weights[0]] }, ref).withinTolerance).toBe(false);
  });

  it('says when the reference does not train', () => {
    const flat: Trajectory = { losses: [1, 1, 1], weights: ref.weights };
    expect(compareTrajectories(flat, flat)).toMatchObject({ withinTolerance: true, trains: false });
  });
});
