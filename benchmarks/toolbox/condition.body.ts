// Worker body: producer/consumer handoff through a one-slot mailbox guarded by a mutex and two
// conditions (not full / not empty). Even workers put, odd workers take. One op = one item handed
// over by this worker. Waits are timed so a worker whose peers stopped notices STOP. params: impl.
import { Condition } from 'threadkit/condition';
import { Mutex } from 'threadkit/mutex';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { NaiveFutexLock } from '../mutex/naive-futex-lock.js';
import { NaiveCondvar } from './naive.js';

/** Byte offsets: the mutex, the two conditions, then the Int32 slot of the mailbox (0 empty, 1 full). */
export const MUTEX = 0;
export const NOT_FULL = 32;
export const NOT_EMPTY = 64;
export const SLOT = 24;

interface Handoff {
  lock(): void;
  unlock(): void;
  /** Waits on `notFull` (true) or `notEmpty` (false); false if it timed out. */
  wait(notFull: boolean, timeoutMs: number): boolean;
  notify(notFull: boolean): void;
}

function open(naive: boolean, shared: SharedArrayBuffer): Handoff {
  const i32 = new Int32Array(shared);
  if (naive) {
    const lock = new NaiveFutexLock(shared, MUTEX);
    const cv = [new NaiveCondvar(i32, NOT_FULL >> 2), new NaiveCondvar(i32, NOT_EMPTY >> 2)];
    return {
      lock: () => lock.lock(),
      unlock: () => lock.unlock(),
      wait: (notFull, t) => cv[notFull ? 0 : 1]!.wait(lock, t),
      notify: (notFull) => cv[notFull ? 0 : 1]!.notify(),
    };
  }
  const mutex = Mutex.from({ buffer: shared, byteOffset: MUTEX });
  const cv = [
    Condition.from({ buffer: shared, byteOffset: NOT_FULL, mutex }),
    Condition.from({ buffer: shared, byteOffset: NOT_EMPTY, mutex }),
  ];
  let guard: ReturnType<Mutex['lock']> | undefined;
  return {
    lock: () => void (guard = mutex.lock()),
    unlock: () => guard!.unlock(),
    wait: (notFull, t) => cv[notFull ? 0 : 1]!.wait(guard!, t),
    notify: (notFull) => cv[notFull ? 0 : 1]!.notify(),
  };
}

export default defineBody((ctx) => {
  const i32 = new Int32Array(ctx.shared);
  const h = open(stringParam(ctx, 'impl') === 'naive', ctx.shared);
  const producer = ctx.index % 2 === 0;
  const at = SLOT >> 2;
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        h.lock();
        // Producers wait while the slot is full, consumers while it is empty.
        while (Atomics.load(i32, at) === (producer ? 1 : 0)) {
          if (!h.wait(producer, 20) && ctx.stopped()) {
            h.unlock();
            return i;
          }
        }
        Atomics.store(i32, at, producer ? 1 : 0);
        h.notify(!producer);
        h.unlock();
      }
    },
  };
});
