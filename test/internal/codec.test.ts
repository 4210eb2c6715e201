// Unit tests of the args/results codec (src/internal/codec.ts): encode, a structured clone (what
// postMessage does), decode. A test class stands in for the primitives; test/thread/shareables.test.ts
// runs the real ones through real threads.
import { describe, expect, it } from 'vitest';
import { decode, encode, registerShareable } from '../../src/internal/codec.js';

class Box {
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
  static from(data: unknown): Box {
    return new Box((data as { id: number }).id);
  }
}
registerShareable({ name: 'TestBox', type: Box, revive: (data) => Box.from(data) });

/** What the other side of a Thread sees. */
const roundTrip = (value: unknown): unknown => decode(structuredClone(encode(value)));

describe('codec', () => {
  it('returns plain data itself, without copying, also inside Maps and Sets', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    const values = [
      [1, 'a', { b: [2, null] }],
      new Map([['k', { v: new Set([1]) }]]),
      new Set([[1], { a: 2 }]),
      cyclic,
    ];
    for (const value of values) expect(encode(value)).toBe(value);
  });

  it('revives a primitive inside arrays and plain objects', () => {
    const out = roundTrip({ list: [1, new Box(7)] }) as { list: [number, Box] };
    expect(out.list[1]).toBeInstanceOf(Box);
    expect(out.list[1].id).toBe(7);
  });

  it('revives Map keys and values and Set members', () => {
    const out = roundTrip([
      new Map<unknown, unknown>([
        ['k', new Box(1)],
        [new Box(2), 'v'],
      ]),
      new Set([new Box(3)]),
    ]);
    const [map, set] = out as [Map<unknown, unknown>, Set<Box>];
    expect(map.get('k')).toBeInstanceOf(Box);
    const [key] = [...map.keys()].filter((k) => k !== 'k') as [Box];
    expect(key).toBeInstanceOf(Box);
    expect(key.id).toBe(2);
    expect(map.get(key)).toBe('v');
    expect([...map.keys()][0]).toBe('k'); // order kept
    const [member] = [...set];
    expect(member).toBeInstanceOf(Box);
    expect(member?.id).toBe(3);
  });

  it('keeps a shared primitive shared: one revived instance in every place', () => {
    const box = new Box(5);
    const out = roundTrip([box, { again: box }, new Map([[box, box]]), new Set([box])]);
    const [a, { again }, map, set] = out as [Box, { again: Box }, Map<Box, Box>, Set<Box>];
    expect(a).toBeInstanceOf(Box);
    expect(again).toBe(a);
    expect([...map.entries()]).toEqual([[a, a]]);
    expect([...map.keys()][0]).toBe(a);
    expect(map.get(a)).toBe(a);
    expect([...set][0]).toBe(a);
  });

  it('keeps cycles, pointing back at the copies that hold revived primitives', () => {
    const obj: Record<string, unknown> = { box: new Box(1) };
    obj.self = obj;
    const map = new Map<string, unknown>([['box', new Box(2)]]);
    map.set('map', map);
    const list: unknown[] = [new Box(3)];
    list.push({ list });
    const out = roundTrip({ obj, map, list }) as {
      obj: { box: Box; self: { box: Box } };
      map: Map<string, unknown>;
      list: [Box, { list: unknown[] }];
    };
    expect(out.obj.self).toBe(out.obj);
    expect(out.obj.self.box).toBeInstanceOf(Box);
    expect(out.map.get('map')).toBe(out.map);
    expect(out.map.get('box')).toBeInstanceOf(Box);
    expect(out.list[1].list).toBe(out.list);
    expect(out.list[0]).toBeInstanceOf(Box);
  });

  it('leaves the encoded input untouched', () => {
    const box = new Box(1);
    const input = { list: [box], map: new Map([['k', box]]), set: new Set([box]) };
    roundTrip(input);
    expect(input.list[0]).toBe(box);
    expect(input.map.get('k')).toBe(box);
    expect([...input.set][0]).toBe(box);
  });

  it('keeps array holes', () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    const out = roundTrip([new Box(1), , 3]) as unknown[];
    expect(out).toHaveLength(3);
    expect(1 in out).toBe(false);
  });

  it('passes a plain object that looks like a tagged record through unchanged, never revived', () => {
    const lookalike = () => ({ __threadkit_shareable__: 'TestBox', data: { id: 9 } });
    expect(roundTrip(lookalike())).toEqual(lookalike());
    expect(roundTrip({ __threadkit_shareable__: 'Nope', data: {} })).toEqual({
      __threadkit_shareable__: 'Nope',
      data: {},
    });
    // Its properties are decoded as any object's: a primitive inside it arrives live.
    const out = roundTrip({ ...lookalike(), box: new Box(3), nested: lookalike() }) as {
      box: Box;
      nested: unknown;
    };
    expect(out).toMatchObject(lookalike());
    expect(out.box).toBeInstanceOf(Box);
    expect(out.nested).toEqual(lookalike());
    const input = lookalike();
    roundTrip([input]);
    expect(input).toEqual(lookalike()); // the input is left untouched
  });

  it('keeps a lookalike shared and cyclic, as a Map key and value and a Set member', () => {
    const doc: Record<string, unknown> = { __threadkit_shareable__: 'TestBox', data: { id: 1 } };
    doc.self = doc;
    const out = roundTrip([doc, new Map([[doc, doc]]), new Set([doc])]) as [
      Record<string, unknown>,
      Map<unknown, unknown>,
      Set<unknown>,
    ];
    const [d, map, set] = out;
    expect(d).not.toBeInstanceOf(Box);
    expect(d.__threadkit_shareable__).toBe('TestBox');
    expect(d.data).toEqual({ id: 1 });
    expect(d.self).toBe(d);
    expect([...map.entries()]).toEqual([[d, d]]);
    expect(map.get(d)).toBe(d);
    expect([...set][0]).toBe(d);
  });

  it('does not take an array or an inherited key for a tagged record', () => {
    const list = Object.assign([1], { __threadkit_shareable__: 'Nope' });
    expect(decode(list)).toBe(list);
    const inherited = Object.create({ __threadkit_shareable__: 'Nope' }) as object;
    expect(decode({ x: inherited })).toEqual({ x: inherited });
  });

  it("revives a primitive held by an instance of the user's class, which arrives as a plain object", () => {
    class Account {
      readonly lock = new Box(4);
      balance = 10;
      self: Account | undefined;
    }
    const account = new Account();
    account.self = account;
    const out = roundTrip({ account, again: account }) as {
      account: { lock: Box; balance: number; self: unknown };
      again: unknown;
    };
    expect(Object.getPrototypeOf(out.account)).toBe(Object.prototype); // as structured clone makes it
    expect(out.account.lock).toBeInstanceOf(Box);
    expect(out.account.lock.id).toBe(4);
    expect(out.account.balance).toBe(10);
    expect(out.account.self).toBe(out.account); // a cycle through the instance kept
    expect(out.again).toBe(out.account);
    expect(account.lock).toBeInstanceOf(Box); // the input is left untouched
  });

  it("leaves instances of the user's classes that hold no primitive to structured clone", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const p = new Point(1, 2);
    expect(encode({ p })).toEqual({ p }); // nothing to tag: the input itself
    // Next to a primitive, the instance is not copied: a host object written in JavaScript (Node's
    // Blob) must reach structured clone as itself.
    const blob = new Blob(['x']);
    const encoded = encode({ p, blob, box: new Box(1) }) as { p: unknown; blob: unknown };
    expect(encoded.p).toBe(p);
    expect(encoded.blob).toBe(blob);
  });

  it('walks values nested thousands deep without overflowing the stack', () => {
    let list: { next: unknown } = { next: null };
    for (let i = 0; i < 20_000; i++) list = { next: list };
    expect(encode(list)).toBe(list);
  });

  it('throws a TypeError naming a primitive whose module is not loaded', () => {
    expect(() => decode([{ __threadkit_shareable__: 'Nope', data: {} }])).toThrow(
      /Cannot revive a Nope: its module is not loaded/,
    );
  });
});
