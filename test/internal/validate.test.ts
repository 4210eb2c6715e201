// checkOptions: which keys of an options bag count, the message of the TypeError for an unknown one,
// and its "did you mean". The public APIs' own cases are in each module's tests.
import { describe, expect, it } from 'vitest';
import { checkOptions, type OptionKeys } from '../../src/internal/validate.js';
import { closestKey } from '../../src/internal/unknown-option.js';

interface WaitOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}
const KEYS: OptionKeys<WaitOptions> = { signal: true, timeoutMs: true };
const check = (value: unknown) => checkOptions<WaitOptions>(value, KEYS, 'Thing.waitAsync()');

describe('checkOptions', () => {
  it('accepts undefined and bags of known keys, returning the bag', () => {
    expect(check(undefined)).toEqual({});
    const bag = { timeoutMs: 5, signal: undefined };
    expect(check(bag)).toBe(bag);
    expect(check({})).toEqual({});
  });

  it('refuses a non-object naming the parameter, as before', () => {
    expect(() => check(null)).toThrow('Expected `options` to be an object, got null');
    expect(() => check(5)).toThrow(TypeError);
  });

  it('refuses an unknown key with a TypeError naming the parameter, the key, the API and the known keys', () => {
    expect(() => check({ timeoutMs: 1, timeout: 50 })).toThrow(TypeError);
    expect(() => check({ timeout: 50 })).toThrow(
      'Unknown option `timeout` in `options` of Thing.waitAsync(); did you mean `timeoutMs`? (known: signal, timeoutMs)',
    );
    expect(() => check({ colour: 'red' })).toThrow(
      'Unknown option `colour` in `options` of Thing.waitAsync() (known: signal, timeoutMs)',
    );
    expect(() => checkOptions<WaitOptions>({ x: 1 }, KEYS, 'f()', 'settings')).toThrow(
      /^Unknown option `x` in `settings` of f\(\)/,
    );
  });

  it('refuses an unknown key whose value is undefined (a typo is a typo)', () => {
    expect(() => check({ timeout: undefined })).toThrow(/`timeout`/);
  });

  it('checks own enumerable string keys only', () => {
    expect(check({ [Symbol('extra')]: 1, timeoutMs: 1 })).toBeDefined();
    expect(check(Object.create({ inherited: 1 }) as object)).toBeDefined();
    expect(check(Object.defineProperty({}, 'hidden', { value: 1, enumerable: false }))).toBeDefined();
    const own = Object.assign(Object.create(null) as object, { tiemoutMs: 1 });
    expect(() => check(own)).toThrow(/`tiemoutMs`.*did you mean `timeoutMs`/);
    // Reads still see an inherited known key, as before.
    expect(check(Object.create({ timeoutMs: 7 }) as object).timeoutMs).toBe(7);
  });

  it('quotes a key that does not look like a name', () => {
    expect(() => check({ 'time out': 1 })).toThrow('Unknown option `"time out"` in `options`');
  });
});

describe('closestKey (the "did you mean")', () => {
  const pool = ['size', 'idleTimeoutMs', 'maxQueue', 'resourceLimits'];
  it.each([
    ['Size', pool, 'size'],
    ['idletimeoutms', pool, 'idleTimeoutMs'],
    ['idleTimeout', pool, 'idleTimeoutMs'],
    ['maxThreads', pool, 'size'],
    ['numThreads', pool, 'size'],
    ['threads', pool, 'size'],
    ['workers', pool, 'size'],
    ['maxQueueSize', pool, 'maxQueue'],
    ['maxQeue', pool, 'maxQueue'],
    ['resourceLimit', pool, 'resourceLimits'],
    ['sise', pool, 'size'],
    ['timeout', ['signal', 'timeoutMs'], 'timeoutMs'],
    ['signl', ['signal', 'timeoutMs'], 'signal'],
    ['workerData', ['args', 'export', 'name'], 'args'],
    ['argv', ['args', 'export', 'name'], 'args'],
    // Python's names: ThreadPoolExecutor(max_workers=), Thread(kwargs=), RLock (a recursive lock).
    ['max_workers', pool, 'size'],
    ['maxWorkers', pool, 'size'],
    ['kwargs', ['args', 'export', 'name'], 'args'],
    ['recursive', ['buffer', 'byteOffset', 'reentrant'], 'reentrant'],
    ['initail', ['initial', 'inheritable', 'name'], 'initial'],
    ['slowLock', ['slowLockMs', 'onSlowLock', 'lockOrder'], 'slowLockMs'],
  ])('%s → %s', (key, known, expected) => {
    expect(closestKey(key, known)).toBe(expected);
  });

  it.each([
    ['name', pool], // two edits from `size`: too far for a 4-letter key
    ['timeout', pool], // the alias `timeoutMs` is not a key of the pool
    ['colour', ['signal', 'timeoutMs']],
    ['ab', ['ax', 'ay']], // a tie suggests nothing
  ])('%s → nothing', (key, known) => {
    expect(closestKey(key, known)).toBeUndefined();
  });
});
