import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../src/internal/serialize.browser.js';

// The browser build's value encoding (JSON with tagged records), run here in Node directly.
const roundTrip = (v: unknown): unknown => decodeValue(encodeValue(v));

describe('Queue value encoding, browser build', () => {
  it('keeps what structured clone keeps', () => {
    const values: unknown[] = [
      undefined,
      null,
      true,
      'text',
      42,
      -0,
      NaN,
      Infinity,
      -Infinity,
      2n ** 70n,
      [1, undefined, 'x'],
      { a: undefined, b: { c: [new Date(5)] } },
      new Map<unknown, unknown>([[{ k: 1 }, new Set(['v'])]]),
      /a.b/gu,
      new Uint8Array([1, 2, 255]).buffer,
      new Float32Array([0.5, -1]),
      new BigInt64Array([-5n]),
      new DataView(new Uint8Array([9, 8]).buffer),
      { $tk: 'looks like a tag', other: 1 },
    ];
    for (const v of values) expect(roundTrip(v)).toEqual(v);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.keys(roundTrip({ a: undefined }) as object)).toEqual(['a']);
    const view = roundTrip(new Int16Array([1, 2, 3]).subarray(1)) as Int16Array;
    expect([view.constructor.name, ...view, view.buffer.byteLength]).toEqual(['Int16Array', 2, 3, 4]);
  });

  it('keeps errors: class, message, stack and cause', () => {
    const err = new TypeError('bad', { cause: new Error('root') });
    const back = roundTrip(err) as TypeError;
    expect(back).toBeInstanceOf(TypeError);
    expect([back.message, back.stack, (back.cause as Error).message]).toEqual(['bad', err.stack, 'root']);
  });

  it("keeps a threadkit error's class and code, and any error's own properties, nested too", async () => {
    const { TimeoutError } = await import('../../src/errors.js');
    const user = Object.assign(new RangeError('user', { cause: new TimeoutError('inner') }), {
      code: 'E_X',
      detail: { n: 1 },
    });
    const back = roundTrip({
      list: [new TimeoutError('x')],
      byKey: new Map([['k', user]]),
      members: new Set([user]),
    }) as {
      list: Error[];
      byKey: Map<string, RangeError & { code: string; detail: unknown }>;
      members: Set<Error>;
    };
    expect(back.list[0]).toBeInstanceOf(TimeoutError);
    expect((back.list[0] as InstanceType<typeof TimeoutError>).code).toBe('ERR_TIMEOUT');
    const got = back.byKey.get('k');
    expect(got).toBeInstanceOf(RangeError);
    expect([got?.code, got?.detail, got?.stack]).toEqual(['E_X', { n: 1 }, user.stack]);
    expect(got?.cause).toBeInstanceOf(TimeoutError);
    // A shared reference arrives as two copies here (JSON), each whole.
    expect([...back.members][0]).toMatchObject({ name: 'RangeError', code: 'E_X' });
    // Only a value that held one is marked for the codec; JSON text never starts with that byte.
    expect(encodeValue(user)[0]).toBe(0x01);
    expect(encodeValue({ a: 1 })[0]).toBe('{'.charCodeAt(0));
  });

  it('decodes own properties: an own `__proto__` stays one, no setter on Object.prototype runs', () => {
    const own = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    for (const v of [own, [own], { nested: own }, { own, e: new Error('e') }]) {
      const back = roundTrip(v) as Record<string, unknown>;
      const found = (Array.isArray(back) ? back[0] : (back.nested ?? back.own ?? back)) as Record<
        string,
        unknown
      >;
      expect(Object.getPrototypeOf(found)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(found, '__proto__')?.value).toEqual({ polluted: true });
    }
    const set: unknown[] = [];
    Object.defineProperty(Object.prototype, 'x', { set: (v: unknown) => set.push(v), configurable: true });
    try {
      for (const v of [{ x: 1 }, { m: new Map([[1, { x: 1 }]]) }, { $tk: 'lookalike', x: 1 }]) {
        expect(roundTrip(v)).toEqual(v);
      }
      expect(set).toEqual([]);
    } finally {
      delete (Object.prototype as Record<string, unknown>).x;
    }
  });

  it('refuses functions, symbols, cycles and SharedArrayBuffers with a TypeError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [() => 1, Symbol('s'), cyclic, new SharedArrayBuffer(4)]) {
      expect(() => encodeValue({ v })).toThrow(TypeError);
    }
  });

  it('says where shared memory sits and how to pass it instead', async () => {
    const { Mutex } = await import('../../src/mutex/index.js');
    expect(() => encodeValue({ list: [1, new Mutex()] })).toThrow(
      /^a Mutex \(at value\.list\[1\]\) cannot be put in a Queue: .*Pass it to the thread in `args` instead, .*Mutex\.from\(\)$/,
    );
    expect(() => encodeValue(new SharedArrayBuffer(4))).toThrow(
      /^a SharedArrayBuffer cannot be put in a Queue: /,
    );
    const { TimeoutError } = await import('../../src/errors.js');
    expect(() => encodeValue([new TimeoutError('x'), new SharedArrayBuffer(4)])).toThrow(
      /^a SharedArrayBuffer \(at value\[1\]\) cannot be put in a Queue: /,
    );
  });
});
