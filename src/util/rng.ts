/**
 * Seeded pseudo-random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator),
 * seeded through splitmix32 so that nearby integer seeds give unrelated streams.
 * The whole state is four 32-bit words, so a run can save it in a checkpoint and resume exactly.
 */
export type RngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** A cached second Box–Muller normal, or NaN when none is cached. */
  private spare = Number.NaN;

  constructor(seed: number | RngState) {
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
      const mix = splitmix32(Math.floor(seed) >>> 0 ^ Math.floor(seed / 2 ** 32));
      this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix();
      for (let i = 0; i < 12; i++) this.nextUint32();
    } else {
      [this.a, this.b, this.c, this.d] = seed.map((x) => x >>> 0) as unknown as [number, number, number, number];
    }
  }

  /** The generator's state; `new Rng(state)` continues the same stream. */
  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal by the Box–Muller transform. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with independent standard normals scaled by `scale`. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, scale = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = scale * this.normal();
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(xs: T[] | Int32Array | Uint32Array): typeof xs {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
    return xs;
  }
}
