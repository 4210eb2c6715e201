// For the tests of the sync "run fn while holding X" helpers (Mutex.withLock, Once.run) given an async
// function: what they throw, and whether the promise they were handed later goes unhandled.
import { expect } from 'vitest';

/** The error `call` throws; fails the test if it returns. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  expect.fail('expected the call to throw');
}

/**
 * Runs `body` with an `unhandledRejection` listener on the process; after `body`, waits a few ticks
 * (a rejection is reported unhandled after the microtasks of its turn) and returns what it recorded.
 */
export async function unhandledDuring(body: () => Promise<void> | void): Promise<unknown[]> {
  const reasons: unknown[] = [];
  const onUnhandled = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return reasons;
}

/** Async functions and thenables that a sync helper must refuse, each rejecting sooner or later. */
export const asyncResults: ReadonlyArray<readonly [string, () => unknown]> = [
  [
    'an async function that rejects after an await',
    async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw new Error('late');
    },
  ],
  [
    'an async function that rejects at once',
    // eslint-disable-next-line @typescript-eslint/require-await
    async () => {
      throw new Error('at once');
    },
  ],
  ['a rejected promise', () => Promise.reject(new Error('rejected'))],
  [
    'a foreign thenable object',
    () => ({ then: (_: unknown, reject: (e: unknown) => void) => reject(new Error('thenable')) }),
  ],
  [
    'a function with a then method',
    () =>
      Object.assign(() => {}, {
        then: (_: unknown, reject: (e: unknown) => void) => reject(new Error('fn')),
      }),
  ],
];
