// The values a Queue copies arrive as their structured clone, whichever encoding carried them: the
// compact fast path for small JSON-like values (src/internal/compact.ts) or node:v8 for the rest. A
// differential check against structuredClone, with a description of values strict enough to see key
// order, -0, holes, extra array properties, prototypes, shared references and cycles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/index.js';

/** What a structured clone must keep of `v`, as plain data (`refs` numbers the objects met). */
function shape(v: unknown, refs = new Map<object, number>()): unknown {
  if (typeof v === 'number') return ['number', Object.is(v, -0) ? '-0' : String(v)];
  if (typeof v !== 'object' || v === null) return [typeof v, String(v)];
  const ref = refs.get(v);
  if (ref !== undefined) return ['ref', ref];
  refs.set(v, refs.size);
  const proto: unknown = Object.getPrototypeOf(v);
  const kind = proto === null ? 'null' : (proto as { constructor: { name: string } }).constructor.name;
  if (v instanceof Map) return [kind, [...v].map(([k, x]) => [shape(k, refs), shape(x, refs)])];
  if (v instanceof Set) return [kind, [...v].map((x) => shape(x, refs))];
  if (v instanceof Date) return [kind, v.getTime()];
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return [kind, String(v.valueOf())];
  const keys = Object.keys(v);
  const length = Array.isArray(v) ? v.length : -1;
  return [kind, length, keys.map((k) => [k, shape((v as Record<string, unknown>)[k], refs)])];
}

/** `depth` plain objects, each inside the next. */
function nest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}

/** Puts `v` and gets it back. */
function roundTrip(q: Queue<unknown>, v: unknown): unknown {
  q.put(v);
  return q.get();
}

const strings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates included
  fc.string({ unit: 'grapheme', minLength: 20, maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', minLength: 20, maxLength: 300 }),
  fc.constantFrom('é'.repeat(30), '\ufeff' + 'a'.repeat(30), '\ud800'.repeat(30), 'ÿ\u0100'),
);

describe('Queue value encoding (node)', () => {
  it('gives what structuredClone gives, for JSON-like values and everything else', () => {
    const q = new Queue<unknown>(1, { maxBytes: 1 << 20 });
    const jsonish = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.double(),
        fc.constantFrom(-0, NaN, 2 ** 31, -(2 ** 31) - 1, null, undefined, true, false),
        strings,
        fc.array(tie('value'), { maxLength: 8 }),
        fc.dictionary(
          fc.oneof(strings, fc.constantFrom('1', '01', '-1', '4294967295', '__proto__')),
          tie('value'),
          {
            maxKeys: 6,
          },
        ),
      ),
    })).value;
    const anything = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withSparseArray: true,
      withObjectString: true,
      withBoxedValues: true,
      stringUnit: 'binary',
    });
    fc.assert(
      fc.property(fc.oneof(jsonish, anything), (v) => {
        expect(shape(roundTrip(q, v))).toEqual(shape(structuredClone(v)));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps shared references, cycles, holes and extra array properties', () => {
    const q = new Queue<unknown>(1);
    const shared = { a: 1 };
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    const holey = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const named = Object.assign([1, 2], { extra: 'x' });
    const both = Object.assign([1, , 3], { extra: 'x' }); // eslint-disable-line no-sparse-arrays
    const long = Array.from({ length: 1000 }, (_, i) => i);
    for (const v of [[shared, shared], cyclic, { holey }, named, both, long, 'x'.match(/x/)]) {
      expect(shape(roundTrip(q, v))).toEqual(shape(structuredClone(v)));
    }
    const [a, b] = roundTrip(q, [shared, shared]) as object[];
    expect(a).toBe(b);
  });

  it('refuses Proxies, functions and symbols with a DataCloneError, leaving the queue unchanged', () => {
    const q = new Queue<unknown>(2);
    for (const v of [new Proxy({}, {}), { list: [new Proxy([1], {})] }, { f: () => 1 }, [Symbol('s')]]) {
      expect(() => q.put(v)).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
    }
    expect(q.size).toBe(0);
  });

  it('runs getters once, lets their errors through, and copes with a getter that puts', () => {
    const q = new Queue<unknown>(2);
    const other = new Queue<unknown>(2);
    let calls = 0;
    const v = {
      get x() {
        calls++;
        other.put({ inner: 'é'.repeat(30) }); // a put while the outer value is being encoded
        return 'x'.repeat(30);
      },
      y: [1, 2],
    };
    expect(roundTrip(q, v)).toEqual({ x: 'x'.repeat(30), y: [1, 2] });
    expect(calls).toBe(1);
    expect(other.get()).toEqual({ inner: 'é'.repeat(30) });
    const boom = new Error('boom');
    const bad = {
      get x(): never {
        throw boom;
      },
    };
    expect(() => q.put(bad)).toThrow(boom);
    expect(q.size).toBe(0);
  });

  it('runs a getter at most twice when a value is left to structured clone, wherever it sits', () => {
    // Once while the fast encoding reads the value (and goes on looking for errors after it gives
    // up), once in structured clone: the value that crosses is the last read. Before, a getter that
    // the fast encoding read ran three times: a separate walk looked for errors in between.
    const q = new Queue<unknown>(1, { maxBytes: 1 << 16 });
    let calls = 0;
    /** An object whose `x` counts its reads and gives a new value each time. */
    const counting = () => ({
      get x() {
        return ++calls;
      },
    });
    const indexed = () => {
      const list = [0, 1];
      Object.defineProperty(list, 1, { get: () => ++calls, enumerable: true });
      return list;
    };
    const x = (b: unknown) => (b as { a: { x: number } }).a.x;
    const cases: [string, () => unknown, (back: unknown) => unknown][] = [
      // The fast encoding reads the getter, then meets what it cannot encode.
      ['before a Date', () => ({ a: counting(), d: new Date(0) }), x],
      ['before a bigint', () => [counting(), 1n], (b) => (b as [{ x: number }])[0].x],
      ['an array item', () => ({ list: indexed(), big: 1n }), (b) => (b as { list: number[] }).list[1]],
      [
        'before a shared reference',
        () => {
          const shared = [1];
          return { a: counting(), shared, again: [shared] };
        },
        x,
      ],
      // It gives up first, and reads the getter looking for errors.
      ['after a Date', () => ({ d: new Date(0), a: counting() }), x],
      [
        'inside a Map',
        () => new Map([['a', counting()]]),
        (b) => (b as Map<string, { x: number }>).get('a')!.x,
      ],
      [
        'in a long array',
        () => [...Array<number>(300).fill(0), counting()],
        (b) => (b as { x: number }[])[300]!.x,
      ],
      ['too deep', () => ({ a: counting(), deep: nest(40) }), x],
      // With an error in the value: the codec copies it, and structured clone reads the copy.
      ['beside an error', () => ({ e: new Error('e'), a: counting() }), x],
      ['before an error', () => ({ a: counting(), e: new Error('e') }), x],
    ];
    for (const [what, make, read] of cases) {
      calls = 0;
      const back = roundTrip(q, make());
      expect(calls, what).toBeGreaterThanOrEqual(1);
      expect(calls, what).toBeLessThanOrEqual(2);
      expect(read(back), what).toBe(calls);
    }
  });

  it('lets an error thrown by a getter through, wherever the fast encoding gave up', () => {
    const q = new Queue<unknown>(1);
    const boom = new Error('boom');
    const throwing = {
      get x(): never {
        throw boom;
      },
    };
    for (const v of [{ d: new Date(0), throwing }, [1n, throwing], new Map([[1, throwing]])]) {
      expect(() => q.put(v)).toThrow(boom);
    }
    expect(q.size).toBe(0);
  });

  it('decodes own properties, as structured clone does: no setter on Object.prototype runs', () => {
    const q = new Queue<unknown>(1);
    const set: unknown[] = [];
    Object.defineProperty(Object.prototype, 'x', {
      set: (v: unknown) => set.push(v),
      configurable: true,
    });
    Object.defineProperty(Object.prototype, 'y', { value: 'inherited', writable: false, configurable: true });
    try {
      const values = [
        { x: 1, y: 2 }, // compact
        { x: 1, y: 2, d: new Date(0) }, // structured clone
        { e: Object.defineProperties(new Error('own'), Object.getOwnPropertyDescriptors({ x: 1, y: 2 })) },
        [{ x: 1, y: 2 }],
      ];
      for (const v of values) {
        const back = roundTrip(q, v) as Record<string, unknown>;
        const rec = (Array.isArray(back) ? back[0] : 'e' in back ? back.e : back) as Record<string, unknown>;
        expect(Object.getOwnPropertyDescriptor(rec, 'x')?.value).toBe(1);
        expect(Object.getOwnPropertyDescriptor(rec, 'y')?.value).toBe(2);
      }
      expect(set).toEqual([]);
    } finally {
      delete (Object.prototype as Record<string, unknown>).x;
      delete (Object.prototype as Record<string, unknown>).y;
    }
  });

  it('keeps an own `__proto__` key as an own data property, leaving the prototype alone', () => {
    const q = new Queue<unknown>(1);
    const own = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    for (const v of [own, [own], { nested: own }, { own, d: new Date(0) }, { own, e: new Error('e') }]) {
      const back = roundTrip(q, v);
      expect(shape(back)).toEqual(shape(structuredClone(v)));
      const found = (
        Array.isArray(back)
          ? back[0]
          : ((back as Record<string, unknown>).nested ?? (back as { own?: unknown }).own ?? back)
      ) as Record<string, unknown>;
      expect(Object.getPrototypeOf(found)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(found, '__proto__')?.value).toEqual({ polluted: true });
      expect((found as { polluted?: unknown }).polluted).toBeUndefined();
    }
  });

  it('a putAsync that waits for room puts its own value while other values are encoded', async () => {
    const q = new Queue<{ id: string }>(1);
    q.put({ id: 'first' });
    const waiting = q.putAsync({ id: 'waiting' });
    expect(q.tryPut({ id: 'other' })).toBe(false); // encodes another value meanwhile
    expect(q.get()).toEqual({ id: 'first' });
    await waiting;
    expect(q.get()).toEqual({ id: 'waiting' });
  });

  it('async gets that waited keep their own bytes (pop reuses one scratch buffer per thread)', async () => {
    const q = new Queue<{ id: number }>(8);
    for (let round = 0; round < 20; round++) {
      const waiting = [q.getAsync(), q.getAsync(), q.getAsync()];
      await new Promise((resolve) => setTimeout(resolve, 1));
      for (let id = 0; id < 3; id++) q.put({ id });
      expect((await Promise.all(waiting)).map((v) => v.id).sort()).toEqual([0, 1, 2]);
    }
  });
});
