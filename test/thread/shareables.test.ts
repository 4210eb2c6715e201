import { describe, expect, it } from 'vitest';
import {
  Barrier,
  Condition,
  CountDownLatch,
  Event,
  Mutex,
  Once,
  Queue,
  RwLock,
  Semaphore,
  spawn,
  ThreadPool,
} from 'threadkit';
import { watchdog } from './helpers.js';

// Every shareable primitive must arrive in a thread as a live instance of its class, sharing memory.
describe('shareable primitives through Thread args', () => {
  it('arrive live, as instances of their class, on the same shared memory', async () => {
    const prims = {
      Mutex: new Mutex(),
      Semaphore: new Semaphore(3),
      Event: new Event(),
      CountDownLatch: new CountDownLatch(1),
      Condition: new Condition(new Mutex()),
      Barrier: new Barrier(1),
      RwLock: new RwLock(),
      Once: new Once(),
      Queue: new Queue(1),
    };
    const seen = await spawn(
      async (p: Record<string, { buffer: SharedArrayBuffer; byteOffset: number }>) => {
        const mod = await import('threadkit');
        const out: Record<string, boolean> = {};
        for (const [name, value] of Object.entries(p)) {
          const cls = (mod as unknown as Record<string, new (...a: never[]) => unknown>)[name]!;
          out[name] = value instanceof cls && value.buffer instanceof SharedArrayBuffer;
        }
        (p.Event as unknown as { set(): void }).set();
        return out;
      },
      prims as unknown as Record<string, { buffer: SharedArrayBuffer; byteOffset: number }>,
    ).join();
    expect(seen).toEqual(Object.fromEntries(Object.keys(prims).map((k) => [k, true])));
    expect(prims.Event.isSet).toBe(true);
  });
});

// Structured clone keeps shared references and reaches into Maps and Sets; so does the codec.
describe('shareable primitives shared, or inside Maps and Sets', () => {
  it('one primitive passed twice arrives as one live instance', async () => {
    const m = new Mutex();
    const out = await watchdog(
      spawn((a: Mutex, b: Mutex) => [typeof a.lock, typeof b.lock, a === b], m, m).join(),
    );
    expect(out).toEqual(['function', 'function', true]);
  });

  it('Map keys and values and Set members arrive live', async () => {
    const m = new Mutex();
    const q = new Queue<number>(1);
    const out = await watchdog(
      spawn(
        (map: Map<unknown, Mutex>, set: Set<Queue<number>>) => {
          const [key] = [...map.keys()].filter((k) => k !== 'k') as [Mutex];
          const [queue] = [...set] as [Queue<number>];
          queue.put(42);
          return [typeof map.get('k')?.lock, typeof key.lock, map.get(key) === key, typeof queue.get];
        },
        new Map<unknown, Mutex>([
          ['k', m],
          [m, m],
        ]),
        new Set([q]),
      ).join(),
    );
    expect(out).toEqual(['function', 'function', true, 'function']);
    expect(q.get()).toBe(42);
  });

  it('results keep shared primitives shared and revive Map values', async () => {
    const [shared, map] = await watchdog(
      spawn(async () => {
        const { Mutex: M } = await import('threadkit');
        const mm = new M();
        return [{ mm, list: [mm] }, new Map([['k', new M()]])] as const;
      }).join(),
    );
    expect(shared.mm).toBeInstanceOf(Mutex);
    expect(shared.list[0]).toBe(shared.mm);
    expect(map).toBeInstanceOf(Map);
    expect(map.get('k')).toBeInstanceOf(Mutex);
  });

  it('ThreadPool.run args and results do the same', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const m = new Mutex();
    const out = await watchdog(
      pool.run(
        (a: Mutex, set: Set<Mutex>, map: Map<string, Mutex>) => ({
          a,
          same: [...set][0] === a && map.get('k') === a,
          map,
        }),
        {
          args: [m, new Set([m]), new Map([['k', m]])],
        },
      ),
    );
    expect(out.same).toBe(true);
    expect(out.a).toBeInstanceOf(Mutex);
    expect(out.map.get('k')).toBe(out.a);
  });
});

// Structured clone copies an instance of the user's class as a plain object of its own properties: a
// primitive in one of them arrives live too (an account that carries its own lock).
describe("shareable primitives held by instances of the user's classes", () => {
  class Account {
    readonly lock = new Mutex();
    readonly events = new Set([new Event()]);
  }

  it('arrive live in a Thread, and come back live in its result', async () => {
    const account = new Account();
    const out = await watchdog(
      spawn(async (a: Account) => {
        const { Event: E, Mutex: M } = await import('threadkit');
        class Result {
          readonly lock = a.lock;
          readonly fresh = new M();
        }
        return { live: a.lock instanceof M && [...a.events][0] instanceof E, result: new Result() };
      }, account).join(),
    );
    expect(out.live).toBe(true);
    expect(out.result.lock).toBeInstanceOf(Mutex);
    expect(out.result.fresh).toBeInstanceOf(Mutex);
    const g = account.lock.lock();
    expect(out.result.lock.isLocked).toBe(true); // the same memory
    g.unlock();
  });

  it('arrive live in a ThreadPool task', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const account = new Account();
    const locked = await watchdog(
      pool.run(
        (a: Account) => {
          a.lock.lock();
          return a.lock.isHeldByCurrentThread;
        },
        { args: [account] },
      ),
    );
    expect(locked).toBe(true);
    expect(account.lock.isLocked).toBe(true);
  });
});

// A user's plain object that happens to look like the codec's tagged record (a JSON document, a
// payload from elsewhere) is data, not a primitive: it crosses unchanged, never revived.
describe('plain objects that look like a tagged primitive', () => {
  const lookalike = () => ({ __threadkit_shareable__: 'Mutex', data: { buffer: 1, byteOffset: 0 } });

  it('arrive unchanged as a Thread argument and come back unchanged as its result', async () => {
    const out = await watchdog(
      spawn(
        (doc: Record<string, unknown>) => ({ doc, isPlain: Object.getPrototypeOf(doc) === Object.prototype }),
        lookalike(),
      ).join(),
    );
    expect(out).toEqual({ doc: lookalike(), isPlain: true });
    expect(
      await watchdog(
        spawn(() => ({ __threadkit_shareable__: 'Mutex', data: { buffer: 1, byteOffset: 0 } })).join(),
      ),
    ).toEqual(lookalike());
  });

  it('arrive unchanged as a ThreadPool task argument and result', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const out = await watchdog(
      pool.run((doc: unknown) => [doc, JSON.stringify(doc)], { args: [lookalike()] }),
    );
    expect(out).toEqual([lookalike(), JSON.stringify(lookalike())]);
  });

  it('keep their identity inside a Map and in a cycle, next to a live primitive', async () => {
    const m = new Mutex();
    const doc: Record<string, unknown> = { ...lookalike(), mutex: m };
    doc.self = doc;
    const map = new Map<unknown, unknown>([
      ['doc', doc],
      [doc, 'as a key'],
    ]);
    const out = await watchdog(
      spawn(
        (input: Map<unknown, Record<string, unknown>>) => {
          const d = input.get('doc')!;
          return {
            tag: d.__threadkit_shareable__,
            data: d.data,
            cycle: d.self === d,
            key: input.get(d),
            mutexLive: typeof (d.mutex as { lock?: unknown }).lock === 'function',
            back: input,
          };
        },
        map as Map<unknown, Record<string, unknown>>,
      ).join(),
    );
    expect(out).toMatchObject({
      tag: 'Mutex',
      data: lookalike().data,
      cycle: true,
      key: 'as a key',
      mutexLive: true,
    });
    const back = out.back.get('doc')!;
    expect(back.self).toBe(back);
    expect(out.back.get(back)).toBe('as a key');
    expect(back.mutex).toBeInstanceOf(Mutex);
    expect(back.__threadkit_shareable__).toBe('Mutex');
  });
});
