// A Queue copies each value to whichever thread gets it, so an object that belongs to the thread that
// made it (a Thread, a ThreadPool, a ThreadLocal, a lock's guard) cannot go in one: it used to be
// copied as plain data (`{}`), and the getter failed later on it (`t.join is not a function`). Now
// put() refuses it at once with a DataCloneError that says where it sits in the value, why, and what
// to send instead (src/internal/thread-bound.ts).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Mutex } from 'threadkit/mutex';
import { Queue } from 'threadkit/queue';
import { RwLock } from 'threadkit/rwlock';
import * as esmThread from 'threadkit/thread';
import { ThreadLocal } from 'threadkit/threadlocal';
import { watchdog } from '../helpers/workers.js';
import { thrown } from '../helpers/thrown.js';

const { ThreadPool, spawn } = esmThread;

/** A class of the user's: structured clone copies its own properties. */
class Envelope {
  constructor(readonly body: unknown) {}
}

describe('Queue: thread-bound objects in values (built package)', () => {
  it('put(), tryPut() and putAsync() refuse a Thread, naming where it sits; the queue stays usable', async () => {
    const q = new Queue<unknown>(4);
    const t = spawn(() => 1);
    await watchdog(t.join(), 10_000, 'the thread');
    const direct = thrown(() => q.put(t));
    expect(direct).toBeInstanceOf(DOMException);
    expect(direct.name).toBe('DataCloneError');
    expect(direct.message).toBe(
      'Expected `value` to be sendable to another thread, got a Thread: a Thread belongs to the thread ' +
        'that created it. Join it there and send its result instead, or share an Event or a Queue to ' +
        'signal between the threads.',
    );
    expect(thrown(() => q.tryPut({ jobs: [{ id: 1 }, new Envelope(t)] }, 0)).message).toMatch(
      /^Expected `value\.jobs\[1\]\.body` to be sendable to another thread, got a Thread: /,
    );
    await expect(q.putAsync(new Map([['t', t]]))).rejects.toThrow(
      /^Expected `value \(Map entry 0\)` to be sendable to another thread, got a Thread: /,
    );
    expect(q.size).toBe(0);
    q.put({ id: 2 });
    expect(q.get()).toEqual({ id: 2 });
  });

  it('refuses guards, a ThreadLocal and a ThreadPool, saying what to send instead', async () => {
    const q = new Queue<unknown>(4);
    const mutex = new Mutex();
    {
      using guard = mutex.lock();
      expect(thrown(() => q.put({ guard })).message).toMatch(
        /^Expected `value\.guard` to be sendable to another thread, got a MutexGuard: .*Pass the Mutex instead, and lock it inside the other thread\.$/,
      );
    }
    const rw = new RwLock();
    {
      using guard = rw.readLock();
      expect(thrown(() => q.put([guard])).message).toMatch(
        /^Expected `value\[0\]` to be sendable to another thread, got an RwLockGuard: /,
      );
    }
    expect(thrown(() => q.put(new Envelope(new ThreadLocal()))).message).toMatch(
      /^Expected `value\.body` to be sendable to another thread, got a ThreadLocal: /,
    );
    await using pool = new ThreadPool({ size: 1 });
    expect(thrown(() => q.put(new Set([pool]))).message).toMatch(
      /^Expected `value \(a Set member\)` to be sendable to another thread, got a ThreadPool: /,
    );
    // A live primitive is still refused as shared memory, with its own message.
    expect(thrown(() => q.put({ mutex })).message).toMatch(
      /^a Mutex \(at value\.mutex\) cannot be put in a Queue/,
    );
    expect(q.size).toBe(0);
  });

  it('refuses a Thread of the other build of the package (ESM and CommonJS loaded together)', () => {
    const cjsThread = createRequire(import.meta.url)('threadkit/thread') as typeof esmThread;
    expect(cjsThread.Thread).not.toBe(esmThread.Thread);
    const q = new Queue<unknown>(1);
    const t = new cjsThread.Thread(() => 1); // never started
    expect(thrown(() => q.put({ t })).message).toMatch(
      /^Expected `value\.t` to be sendable to another thread, got a Thread: /,
    );
  });

  it('the browser build refuses them the same way', async () => {
    const { encodeValue } = await import('../../src/internal/serialize.browser.js');
    const guard = new Mutex().lock();
    const err = thrown(() => encodeValue({ held: [guard] }));
    guard.unlock();
    expect(err.name).toBe('DataCloneError');
    expect(err.message).toMatch(
      /^Expected `value\.held\[0\]` to be sendable to another thread, got a MutexGuard: /,
    );
  });
});
