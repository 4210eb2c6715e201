import { describe, expect, it } from 'vitest';
import { Queue, QueueClosedError, TimeoutError } from '../../src/queue/index.js';
import { Mutex } from '../../src/mutex/index.js';
import { GET_SEQ, PUT_SEQ } from '../../src/queue/raw-queue.js';
import { sleep, withWatchdog } from '../helpers/toolbox-workers.js';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

describe('Queue (one thread)', () => {
  it('is FIFO and reports size, capacity and maxBytes', () => {
    const q = new Queue<number>(3);
    expect([q.size, q.capacity, q.maxBytes, q.closed]).toEqual([0, 3, 64 * 1024, false]);
    q.put(1);
    q.put(2);
    expect(q.tryPut(3)).toBe(true);
    expect(q.size).toBe(3);
    expect(q.tryPut(4)).toBe(false);
    expect([q.get(), q.get(), q.tryGet(), q.tryGet()]).toEqual([1, 2, { value: 3 }, null]);
    expect(new Queue(100_000).maxBytes).toBe(64 * 1024 * 1024);
    expect(new Queue(1, { maxBytes: 10 }).maxBytes).toBe(10);
  });

  it('copies values of many kinds (structured clone)', () => {
    const q = new Queue<unknown>(16, { maxBytes: 4 << 20 });
    const big = 'ü'.repeat(1 << 20);
    const values: unknown[] = [
      undefined,
      null,
      0,
      -0,
      NaN,
      12345678901234567890n,
      'text',
      big,
      { nested: { list: [1, 'two', { three: 3 }] } },
      new Float64Array([1.5, -2.5]),
      new Map<unknown, unknown>([['k', new Set([1, 2])]]),
      new Date(86_400_000),
      /re+/gi,
      new Uint8Array([1, 2, 3]).buffer,
    ];
    for (const v of values) q.put(v);
    for (const v of values) expect(q.get()).toEqual(v);
    const source = { a: 1 };
    q.put(source);
    source.a = 2; // the queue holds a copy
    expect(q.get()).toEqual({ a: 1 });
    const typed = new Int16Array([7, 8, 9]);
    q.put(typed.subarray(1));
    const out = q.get() as Int16Array;
    expect(out).toBeInstanceOf(Int16Array);
    expect([...out, out.buffer.byteLength]).toEqual([8, 9, 4]); // its own, exactly-sized buffer
  });

  it('keeps values intact when they wrap around the end of the data area', () => {
    const q = new Queue<string>(8, { maxBytes: 100 });
    const put: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 300; i++) {
      const v = String(i).repeat(1 + (i % 9));
      while (!q.tryPut(v)) got.push(q.get());
      put.push(v);
    }
    while (q.size > 0) got.push(q.get());
    expect(got).toEqual(put);
  });

  it('refuses a value larger than maxBytes with a RangeError, leaving the queue intact', () => {
    const q = new Queue<string>(4, { maxBytes: 64 });
    q.put('kept');
    const err = thrown(() => q.put('x'.repeat(100))) as Error;
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toMatch(
      /`value`.*a string of 100 characters serializes to \d+ bytes.*maxBytes \(64\)/,
    );
    expect(() => q.tryPut('x'.repeat(100), 10)).toThrow(RangeError);
    expect(() => q.put((() => 1) as unknown as string)).toThrow(/could not be cloned/);
    expect(() => q.put(Symbol('s') as unknown as string)).toThrow(
      expect.objectContaining({ name: 'DataCloneError' }) as Error,
    );
    expect(q.size).toBe(1);
    q.put('y'.repeat(40));
    expect([q.get(), q.get()]).toEqual(['kept', 'y'.repeat(40)]);
  });

  it('refuses shared memory with a DataCloneError that says where it is and what to do instead', async () => {
    const q = new Queue<unknown>(4);
    const mutex = new Mutex();
    const direct = thrown(() => q.put(mutex)) as Error;
    expect(direct.name).toBe('DataCloneError');
    expect(direct.message).toBe(
      'a Mutex cannot be put in a Queue: a Queue copies each value into its shared bytes, so it cannot carry SharedArrayBuffers or threadkit primitives (Mutex, Semaphore, Queue, ...). Pass it to the thread in `args` instead, or send it once with postMessage and revive it there with Mutex.from()',
    );
    const nested = thrown(() => q.put({ jobs: [{ id: 1 }, { id: 2, lock: mutex }] })) as Error;
    expect(nested.name).toBe('DataCloneError');
    expect(nested.message).toMatch(/^a Mutex \(at value\.jobs\[1\]\.lock\) cannot be put in a Queue: /);
    const sab = thrown(() => q.put(new Map([['k', { 'raw bytes': new SharedArrayBuffer(8) }]]))) as Error;
    expect(sab.message).toMatch(
      /^a SharedArrayBuffer \(at value \(Map entry 0\)\["raw bytes"\]\) cannot be put in a Queue: .*both threads use the same memory$/,
    );
    const { Semaphore } = await import('../../src/semaphore/index.js');
    expect((thrown(() => q.tryPut([new Semaphore(1)], 0)) as Error).message).toMatch(
      /^a Semaphore \(at value\[0\]\) .*revive it there with Semaphore\.from\(\)$/,
    );
    await expect(q.putAsync(q)).rejects.toThrow(/^a Queue cannot be put in a Queue: /);
    // A threadkit error beside the shared memory is not taken for it (the thread module registers
    // threadkit's errors with the codec, which must not make them count as shared memory).
    await import('../../src/thread/index.js');
    const { TimeoutError: Timeout } = await import('../../src/errors.js');
    expect((thrown(() => q.tryPut([new Timeout('x'), new SharedArrayBuffer(8)])) as Error).message).toMatch(
      /^a SharedArrayBuffer \(at value\[1\]\) cannot be put in a Queue: /,
    );
    expect((thrown(() => q.tryPut({ e: new Timeout('x'), m: mutex })) as Error).message).toMatch(
      /^a Mutex \(at value\.m\) cannot be put in a Queue: /,
    );
    // A function met before the shared memory is what the runtime refused: its own error.
    expect(() => q.put({ f: () => 1, m: mutex })).toThrow(/^Expected `value\.f` to be structured-cloneable/);
    expect(q.size).toBe(0);
  });

  it('refuses a function or a symbol with a DataCloneError that says where it is and what to do instead', async () => {
    // The runtime's own message ("() => 1 could not be cloned.") named neither.
    const q = new Queue<unknown>(4);
    const fn = thrown(() => q.put({ id: 1, onDone: () => 1 })) as Error;
    expect(fn.name).toBe('DataCloneError');
    expect(fn.message).toBe(
      'Expected `value.onDone` to be structured-cloneable, got a function. A Queue copies each value, and a function cannot be copied to another thread: put data in the queue, and define or import the code in the thread that gets it. (() => 1 could not be cloned.)',
    );
    const sym = thrown(() => q.tryPut([1, new Map([['k', Symbol('s')]])], 0)) as Error;
    expect(sym.name).toBe('DataCloneError');
    expect(sym.message).toMatch(
      /^Expected `value\[1\] \(Map entry 0\)` to be structured-cloneable, got a symbol \(Symbol\(s\)\)\. A Queue copies each value with structured clone, which cannot copy it\. \(Symbol\(s\) could not be cloned\.\)$/,
    );
    await expect(q.putAsync([() => 2])).rejects.toThrow(
      /^Expected `value\[0\]` to be structured-cloneable, got a function/,
    );
    expect(q.size).toBe(0);
  });

  it('times out tryPut on a full queue and tryGet on an empty one', () => {
    const q = new Queue<number>(1);
    let t0 = performance.now();
    expect(q.tryGet(30)).toBeNull();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    q.put(1);
    t0 = performance.now();
    expect(q.tryPut(2, 30)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(q.get()).toBe(1);
  });

  it('getAsync / putAsync: wait, time out with TimeoutError, abort with the reason', async () => {
    const q = new Queue<string>(1);
    setTimeout(() => q.put('later'), 5);
    expect(await q.getAsync()).toBe('later');
    await expect(q.getAsync({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    const reason = new Error('stop');
    const ac = new AbortController();
    const aborted = q.getAsync({ signal: ac.signal });
    ac.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await expect(q.getAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await q.putAsync('full');
    await expect(q.putAsync('no room', { timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
    const ac2 = new AbortController();
    const blocked = q.putAsync('no room', { signal: ac2.signal });
    setTimeout(() => ac2.abort(reason), 5);
    await expect(blocked).rejects.toBe(reason);
    expect(q.size).toBe(1);
    const waiting = q.putAsync('next');
    expect(q.get()).toBe('full');
    await waiting;
    expect(q.get()).toBe('next');
  });

  it('an aborted getAsync / putAsync leaves no wait behind in the waiter list (raw-queue I6)', async () => {
    // How many sleep on a counter: a notify wakes them all and says how many it woke.
    const asleep = (q: Queue<string>, slot: number) =>
      Atomics.notify(new Int32Array(q.buffer), slot, Infinity);
    const reason = new Error('stop');
    const q = new Queue<string>(1);
    const controllers = [new AbortController(), new AbortController()];
    const gets = controllers.map((ac) => q.getAsync({ signal: ac.signal }));
    for (const ac of controllers) ac.abort(reason);
    for (const get of gets) await expect(get).rejects.toBe(reason);
    expect(asleep(q, PUT_SEQ)).toBe(0);
    q.put('full');
    const ac = new AbortController();
    const put = q.putAsync('no room', { signal: ac.signal });
    ac.abort(reason);
    await expect(put).rejects.toBe(reason);
    expect(asleep(q, GET_SEQ)).toBe(0);
    expect(q.get()).toBe('full');
  });

  it('loses no value when async getters are aborted while values are put', async () => {
    const q = new Queue<number>(64);
    const got: number[] = [];
    const controllers: AbortController[] = [];
    const waits: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const ac = new AbortController();
      controllers.push(ac);
      waits.push(
        q.getAsync({ signal: ac.signal }).then(
          (v) => got.push(v),
          () => undefined,
        ),
      );
    }
    let put = 0;
    for (let i = 0; i < 40; i++) {
      if (i % 2 === 0) controllers[i]!.abort();
      else if (i % 3 === 0) q.put(put++);
      await Promise.resolve();
    }
    for (let i = 0; i < 5; i++) q.put(put++);
    await sleep(20);
    for (const ac of controllers) ac.abort();
    await withWatchdog(Promise.all(waits), 5000, 'aborted getters');
    while (q.size > 0) got.push(q.get());
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: put }, (_, i) => i));
  });

  it('close(): puts throw, gets drain then throw QueueClosedError, waiters wake', async () => {
    const q = new Queue<number>(2);
    const getter = q.getAsync();
    q.put(1);
    expect(await getter).toBe(1);
    const pendingGet = q.getAsync();
    q.close();
    await expect(pendingGet).rejects.toBeInstanceOf(QueueClosedError);
    q.close(); // twice is fine
    expect(q.closed).toBe(true);

    const full = new Queue<number>(1);
    full.put(1);
    const pendingPut = full.putAsync(2);
    full.close();
    await expect(pendingPut).rejects.toMatchObject({ code: 'ERR_QUEUE_CLOSED' });
    expect(() => full.put(3)).toThrow(QueueClosedError);
    expect(() => full.tryPut(3)).toThrow(QueueClosedError);
    await expect(full.putAsync(3)).rejects.toBeInstanceOf(QueueClosedError);
    expect(full.get()).toBe(1); // drained first
    const err = thrown(() => full.get()) as QueueClosedError;
    expect([err.name, err.code, err.message]).toEqual([
      'QueueClosedError',
      'ERR_QUEUE_CLOSED',
      'Queue.get(): the queue is closed and empty',
    ]);
    expect(() => full.tryGet(10)).toThrow(QueueClosedError);
    await expect(full.getAsync()).rejects.toBeInstanceOf(QueueClosedError);
  });

  it('for await: yields values as they arrive, ends when closed and drained', async () => {
    const q = new Queue<number>(4);
    q.put(1);
    setTimeout(() => {
      q.put(2);
      q.put(3);
      q.close();
    }, 5);
    const seen: number[] = [];
    for await (const v of q) seen.push(v);
    expect(seen).toEqual([1, 2, 3]);

    const q2 = new Queue<number>(4);
    [1, 2, 3].forEach((v) => q2.put(v));
    for await (const v of q2) if (v === 1) break;
    expect(q2.size).toBe(2); // break takes nothing more
  });

  it('Queue.from(structuredClone(q)) shares the queue; bad handles throw TypeError', () => {
    const q = new Queue<string>(2);
    const same = Queue.from<string>(structuredClone(q));
    same.put('x');
    expect([q.size, q.get(), Queue.from(q)]).toEqual([1, 'x', q]);
    expect(Object.keys(q)).toEqual(['buffer']);
    expect(() => Queue.from(null)).toThrow(/`handle`/);
    expect(() => Queue.from({ buffer: new SharedArrayBuffer(64) })).toThrow(/holds no Queue/);
    expect(() => Queue.from(structuredClone(new Mutex()))).toThrow(/`handle/);
  });

  it('rejects bad input with TypeError/RangeError naming the parameter', async () => {
    const New = Queue as unknown as new (...args: unknown[]) => Queue;
    expect(() => new New()).toThrow(/`capacity`/);
    expect(() => new New('3')).toThrow(TypeError);
    for (const bad of [0, -1, 1.5, NaN, 2 ** 24 + 1]) expect(() => new New(bad)).toThrow(RangeError);
    expect(() => new New(1, { maxBytes: 0 })).toThrow(/`maxBytes`/);
    expect(() => new New(1, { maxBytes: 2 ** 31 })).toThrow(RangeError);
    expect(() => new New(1, null)).toThrow(/`options`/);
    const q = new Queue<number>(1);
    expect(() => q.tryGet(-1)).toThrow(/`timeoutMs`/);
    expect(() => q.tryPut(1, NaN)).toThrow(RangeError);
    expect(() => q.tryGet('1' as unknown as number)).toThrow(TypeError);
    await expect(q.getAsync({ timeoutMs: -1 })).rejects.toThrow(/`timeoutMs`/);
    await expect(q.putAsync(1, { signal: {} as AbortSignal })).rejects.toThrow(/`signal`/);
  });

  it('refuses an unknown option key with a TypeError naming it, moving no value', async () => {
    expect(() => new Queue(1, { maxsize: 4 } as never)).toThrow(TypeError);
    expect(() => new Queue(1, { maxsize: 4 } as never)).toThrow(
      'Unknown option `maxsize` in `options` of new Queue() (known: maxBytes)',
    );
    expect(() => new Queue(1, { maxbytes: 1024 } as never)).toThrow(/did you mean `maxBytes`\?/);
    const q = new Queue<number>(1, { maxBytes: 1024 });
    await expect(q.putAsync(1, { timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Queue\.putAsync\(\); did you mean `timeoutMs`\?/,
    );
    expect(q.size).toBe(0);
    await expect(q.getAsync({ timeout: 50 } as never)).rejects.toThrow(
      /^Unknown option `timeout` in `options` of Queue\.getAsync\(\)/,
    );
    await q.putAsync(1, { timeoutMs: 50 });
    expect(await q.getAsync({ timeoutMs: 50, signal: new AbortController().signal })).toBe(1);
  });
});
