import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, multiHotLabelSets, npyMatrix, NpyFormatError, parseNpy, readNpy, writeNpy, type NpyData } from '../../src/io/npy.js';

/** Files written by numpy 2.4 (np.save, or np.lib.format.write_array for versions 2.0 and 3.0), base64: the oracle. */
const NUMPY = {
  // np.arange(6, dtype='<f4').reshape(2, 3)
  f4_c_2x3: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA=',
  // np.asfortranarray([[1.5, -2], [3, 4e-300], [5, 6]])
  f8_fortran_3x2: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMywgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAAhAAAAAAAAAFEAAAAAAAAAAwFnz+MIfbsUBAAAAAAAAGEA=',
  // np.array([1, -2, 70000, -2**31], dtype='>i4')
  i4_big_endian_4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAB/////gABEXCAAAAA',
  // np.array([[True, False, False], [False, True, True]])
  b1_2x3: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAQE=',
  // np.array([[1, -2], [2**53 - 1, 0]], dtype='<i8')
  i8_2x2: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAP7/////////////////HwAAAAAAAAAAAA==',
  // np.array([[0.1, 0.2], [0.3, 0.4]]), format version 2.0
  f8_v2_2x2: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqamZmZmZm5P5qZmZmZmck/MzMzMzMz0z+amZmZmZnZPw==',
  // np.array(7, dtype='u1')
  u1_scalar: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoH',
  // np.array([2.5], dtype='<f4'), format version 3.0
  f4_v3_1: 'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACBA',
  // np.array([0.0, -1.0, 1e300, np.pi])
  f8_1d_4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAPC/nHUAiDzkN34YLURU+yEJQA==',
  // np.asfortranarray(np.arange(12, dtype='<f4').reshape(2, 3, 2))
  f4_fortran_2x3x2: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADAQAAAAEAAAABBAACAQAAAIEEAAIA/AADgQAAAQEAAABBBAACgQAAAMEE=',
} as const;

const bytes = (name: keyof typeof NUMPY) => new Uint8Array(Buffer.from(NUMPY[name], 'base64'));

describe('parseNpy', () => {
  it('reads numpy\'s own files: dtypes, versions 1–3, big-endian data and Fortran order (returned in C order)', () => {
    const cases: [keyof typeof NUMPY, readonly number[], string, number[], new (n: number) => NpyData][] = [
      ['f4_c_2x3', [2, 3], '<f4', [0, 1, 2, 3, 4, 5], Float32Array],
      ['f8_fortran_3x2', [3, 2], '<f8', [1.5, -2, 3, 4e-300, 5, 6], Float64Array],
      ['i4_big_endian_4', [4], '>i4', [1, -2, 70000, -(2 ** 31)], Int32Array],
      ['b1_2x3', [2, 3], '|b1', [1, 0, 0, 0, 1, 1], Uint8Array],
      ['i8_2x2', [2, 2], '<i8', [1, -2, 2 ** 53 - 1, 0], Float64Array],
      ['f8_v2_2x2', [2, 2], '<f8', [0.1, 0.2, 0.3, 0.4], Float64Array],
      ['u1_scalar', [], '|u1', [7], Uint8Array],
      ['f4_v3_1', [1], '<f4', [2.5], Float32Array],
      ['f8_1d_4', [4], '<f8', [0, -1, 1e300, Math.PI], Float64Array],
      ['f4_fortran_2x3x2', [2, 3, 2], '<f4', Array.from({ length: 12 }, (_, i) => i), Float32Array],
    ];
    for (const [name, shape, dtype, values, type] of cases) {
      const a = parseNpy(bytes(name));
      expect(a.shape, name).toEqual(shape);
      expect(a.dtype, name).toBe(dtype);
      expect(a.data, name).toBeInstanceOf(type);
      expect([...a.data], name).toEqual(values);
    }
  });

  it('names what is wrong with a file that is not a readable array', () => {
    const good = bytes('f4_c_2x3');
    expect(() => parseNpy(good.subarray(0, good.length - 1))).toThrow(/data is cut short: shape \(2, 3\) needs 24 bytes, the file has 23/);
    expect(() => parseNpy(good.subarray(0, 40))).toThrow(/header is cut short/);
    expect(() => parseNpy(new TextEncoder().encode('{"features": []}'))).toThrow(/not an \.npy file/);
    const withDescr = (descr: string) => {
      const b = Uint8Array.from(good);
      const text = new TextDecoder('latin1').decode(b).replace("'<f4'", descr.padEnd(5));
      return Uint8Array.from(text, (c) => c.charCodeAt(0));
    };
    expect(() => parseNpy(withDescr("'|O8'"))).toThrow(NpyFormatError);
    expect(() => parseNpy(withDescr("'<U1'"))).toThrow(/unsupported dtype '<U1'/);
    expect(() => parseNpy(withDescr("[('a'"))).toThrow(/structured/);
  });
});

describe('encodeNpy', () => {
  it('writes the same bytes as numpy.save for float32, float64 and uint8 arrays', () => {
    expect(encodeNpy(Float32Array.of(0, 1, 2, 3, 4, 5), [2, 3])).toEqual(bytes('f4_c_2x3'));
    expect(encodeNpy(Float64Array.of(0, -1, 1e300, Math.PI), [4])).toEqual(bytes('f8_1d_4'));
    expect(encodeNpy(Uint8Array.of(7), [])).toEqual(bytes('u1_scalar'));
  });

  it('round-trips through parseNpy for every dtype, shape and value (64-byte aligned header)', () => {
    const typed = fc.constantFrom<[new (xs: number[]) => NpyData, fc.Arbitrary<number>]>(
      [Float64Array as never, fc.double()],
      [Float32Array as never, fc.float()],
      [Int32Array as never, fc.integer()],
      [Int16Array as never, fc.integer({ min: -32768, max: 32767 })],
      [Int8Array as never, fc.integer({ min: -128, max: 127 })],
      [Uint32Array as never, fc.integer({ min: 0, max: 2 ** 32 - 1 })],
      [Uint16Array as never, fc.integer({ min: 0, max: 65535 })],
      [Uint8Array as never, fc.integer({ min: 0, max: 255 })],
    );
    fc.assert(fc.property(typed.chain(([ctor, value]) => fc.tuple(fc.constant(ctor), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })
      .chain((shape) => fc.tuple(fc.constant(shape), fc.array(value, { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }))))),
    ([ctor, [shape, values]]) => {
      const data = new ctor(values);
      const file = encodeNpy(data, shape);
      const headerEnd = file.indexOf(0x0a) + 1;
      expect(headerEnd % 64).toBe(0);
      const back = parseNpy(file);
      expect(back.shape).toEqual(shape);
      expect(back.data).toEqual(data);
    }), { numRuns: 200, seed: 31 });
  });

  it('rejects a shape that does not hold the data', () => {
    expect(() => encodeNpy(Float64Array.of(1, 2, 3), [2, 2])).toThrow(/shape \(2, 2\) does not hold 3 values/);
  });
});

describe('readNpy, writeNpy, npyMatrix and multiHotLabelSets', () => {
  it('read back what writeNpy wrote, as a geometry Matrix and as label sets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-npy-'));
    writeNpy(join(dir, 'h.npy'), Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    writeNpy(join(dir, 'y.npy'), Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 1, 1), [3, 3]);
    const H = npyMatrix(readNpy(join(dir, 'h.npy')));
    expect(H).toEqual({ rows: 3, cols: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) });
    expect(multiHotLabelSets(readNpy(join(dir, 'y.npy')))).toEqual([[0], [1, 2], [0, 1, 2]]);
    expect(npyMatrix(parseNpy(bytes('i8_2x2'))).data).toEqual(Float64Array.of(1, -2, 2 ** 53 - 1, 0));
  });

  it('name the file and the problem in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-npy-'));
    expect(() => readNpy(join(dir, 'missing.npy'))).toThrow(/cannot read .*missing\.npy: ENOENT/);
    writeFileSync(join(dir, 'bad.npy'), 'hello');
    expect(() => readNpy(join(dir, 'bad.npy'))).toThrow(/bad\.npy: not an \.npy file/);
    expect(() => npyMatrix(parseNpy(bytes('f8_1d_4')))).toThrow(/expected a 2-D array, got shape \(4\)/);
    expect(() => multiHotLabelSets(parseNpy(encodeNpy(Uint8Array.of(1, 0, 0, 0), [2, 2])))).toThrow(/sample 1 has no class/);
  });
});
