import { describe, expect, it } from 'vitest';
import { clampToFloor, formatLinearTick, formatLogTick, formatPow10, formatValue, logDomain, logTicks } from '../../src/plot/ticks.js';

describe('log ticks', () => {
  it('writes powers of ten with superscripts', () => {
    expect(formatPow10(-12)).toBe('10⁻¹²');
    expect(formatPow10(0)).toBe('1');
    expect(formatPow10(1)).toBe('10');
    expect(formatPow10(3)).toBe('10³');
    expect(formatLogTick(1e-3)).toBe('10⁻³');
    expect(formatLogTick(0.02)).toBe('0.02');
  });

  it('builds exact powers of ten (regression: 10 ** -4 is not 1e-4)', () => {
    expect(logDomain(1e-4, 0.5)).toEqual([1e-4, 1]);
    expect(logTicks([1e-7, 1e-4], 6)).toEqual([1e-7, 1e-6, 1e-5, 1e-4]);
  });

  it('widens a domain to whole decades, and a single decade to two', () => {
    expect(logDomain(0.003, 0.7)).toEqual([1e-3, 1]);
    expect(logDomain(1e-2, 1)).toEqual([1e-2, 1]);
    expect(logDomain(1, 1)).toEqual([1, 10]);
    expect(() => logDomain(0, 1)).toThrow(/positive/);
  });

  it('keeps every decade when few, and aligned multiples of a step when many', () => {
    expect(logTicks([1e-3, 1], 6)).toEqual([1e-3, 1e-2, 1e-1, 1]);
    const t = logTicks([1e-12, 10], 5);
    expect(t.map((v) => Math.round(Math.log10(v)))).toEqual([-12, -8, -4, 0]);
  });

  it('clamps values below the floor (zero included) to the floor', () => {
    expect(clampToFloor(0, 1e-12)).toBe(1e-12);
    expect(clampToFloor(1e-15, 1e-12)).toBe(1e-12);
    expect(clampToFloor(0.5, 1e-12)).toBe(0.5);
  });

  it('labels linear ticks: iterations with SI suffixes, tiny values in e-notation', () => {
    expect(formatLinearTick(20000)).toBe('20k');
    expect(formatLinearTick(2500)).toBe('2.5k');
    expect(formatLinearTick(250)).toBe('250');
    expect(formatLinearTick(-0.5)).toBe('−0.5');
    expect(formatLinearTick(2e-5)).toBe('2e-5');
  });

  it('formats table values compactly', () => {
    expect(formatValue(1.7508648)).toBe('1.751');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(3.2e-5)).toBe('3.2e-5');
  });
});
