// Fuzzed inputs for every public Mutex entry point: each call succeeds or throws a TypeError/RangeError
// naming the parameter, and the mutex works normally afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mutex } from '../../src/mutex/index.js';
import {
  expectArgCheck,
  expectArgCheckAsync,
  nastyNumber,
  nastyOptions,
  nastyValue,
} from '../helpers/fuzz.js';

/** The mutex still locks and unlocks, and is free afterwards. */
function stillWorks(m: Mutex): void {
  expect(m.isLocked).toBe(false);
  m.lock().unlock();
  const g = m.tryLock();
  expect(g).not.toBeNull();
  g!.unlock();
  expect(m.isLocked).toBe(false);
}

const runs = { numRuns: 300 };

describe('Mutex under fuzzed arguments', () => {
  it('constructor: options, buffer, byteOffset, reentrant', () => {
    fc.assert(
      fc.property(nastyOptions(['buffer', 'byteOffset', 'reentrant']), (options) => {
        const m = expectArgCheck(
          () => new Mutex(options as never),
          ['options', 'buffer', 'byteOffset', 'reentrant'],
        );
        if (m) stillWorks(m);
      }),
      runs,
    );
  });

  it('constructor: byteOffset values in a real buffer', () => {
    fc.assert(
      fc.property(nastyNumber, (byteOffset) => {
        const buffer = new SharedArrayBuffer(64);
        const m = expectArgCheck(() => new Mutex({ buffer, byteOffset }), ['byteOffset']);
        if (m) stillWorks(m);
      }),
      runs,
    );
  });

  it('constructor: refuses memory holding other data', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1 }), (slot, garbage) => {
        const i32 = new Int32Array(new SharedArrayBuffer(Mutex.BYTES));
        i32[slot] = garbage;
        expect(() => new Mutex({ buffer: i32.buffer })).toThrow(TypeError);
        i32[slot] = 0;
        stillWorks(new Mutex({ buffer: i32.buffer }));
      }),
      runs,
    );
  });

  it('Mutex.from: foreign handles', () => {
    const real = new Mutex();
    fc.assert(
      fc.property(
        fc.oneof(
          nastyValue,
          fc.record({ buffer: nastyValue, byteOffset: nastyValue }),
          fc.record({ buffer: fc.constant(new SharedArrayBuffer(64)), byteOffset: nastyNumber }),
          fc.record({ buffer: fc.constant(real.buffer), byteOffset: nastyNumber }),
        ),
        (handle) => {
          const m = expectArgCheck(() => Mutex.from(handle), ['handle']);
          if (m) stillWorks(m);
          stillWorks(real);
        },
      ),
      runs,
    );
  });

  it('tryLock(timeoutMs)', () => {
    const m = new Mutex();
    fc.assert(
      fc.property(nastyValue, (timeoutMs) => {
        const g = expectArgCheck(() => m.tryLock(timeoutMs as number), ['timeoutMs']);
        g?.unlock();
        stillWorks(m);
      }),
      runs,
    );
  });

  it('lockAsync(options) and withLockAsync(fn, options)', async () => {
    const m = new Mutex();
    await fc.assert(
      fc.asyncProperty(nastyOptions(['signal', 'timeoutMs']), nastyValue, async (options, fn) => {
        const g = await expectArgCheckAsync(
          () => m.lockAsync(options as never),
          ['options', 'signal', 'timeoutMs'],
        );
        g?.unlock();
        stillWorks(m);
        await expectArgCheckAsync(
          () => m.withLockAsync(fn as never, options as never),
          ['fn', 'options', 'signal', 'timeoutMs'],
        ).catch(() => {});
        stillWorks(m);
      }),
      runs,
    );
  });

  it('withLock(fn)', () => {
    const m = new Mutex({ reentrant: true });
    fc.assert(
      fc.property(nastyValue, (fn) => {
        try {
          expectArgCheck(() => m.withLock(fn as never), ['fn']);
        } catch {
          // fn itself threw (a function value): the lock must still be released
        }
        stillWorks(m);
      }),
      runs,
    );
  });
});
