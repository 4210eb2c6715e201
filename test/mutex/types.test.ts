/* eslint-disable @typescript-eslint/unbound-method -- expectTypeOf only inspects the methods' types */
/* eslint-disable @typescript-eslint/require-await -- async functions here only give their types */
// Type tests for the public API (checked by `tsc --noEmit`; the runtime part only smoke-tests).
import { describe, expectTypeOf, it } from 'vitest';
import {
  DeadlockError,
  Mutex,
  NotOwnerError,
  ThreadkitError,
  TimeoutError,
  type LockAsyncOptions,
  type MutexGuard,
  type MutexOptions,
} from '../../src/mutex/index.js';

describe('Mutex public types', () => {
  it('has the documented signatures', () => {
    const m = new Mutex();
    expectTypeOf(Mutex.BYTES).toEqualTypeOf<number>();
    expectTypeOf(Mutex.from).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(Mutex.from).returns.toEqualTypeOf<Mutex>();
    expectTypeOf<ConstructorParameters<typeof Mutex>>().toEqualTypeOf<[options?: MutexOptions]>();
    expectTypeOf<MutexOptions>().toEqualTypeOf<{
      readonly buffer?: SharedArrayBuffer;
      readonly byteOffset?: number;
      readonly reentrant?: boolean;
    }>();
    expectTypeOf(m.lock).returns.toEqualTypeOf<MutexGuard>();
    expectTypeOf(m.tryLock).returns.toEqualTypeOf<MutexGuard | null>();
    expectTypeOf(m.tryLock).parameters.toEqualTypeOf<[timeoutMs?: number]>();
    expectTypeOf(m.lockAsync).returns.toEqualTypeOf<Promise<MutexGuard>>();
    expectTypeOf<LockAsyncOptions>().toEqualTypeOf<{
      readonly signal?: AbortSignal;
      readonly timeoutMs?: number;
    }>();
    expectTypeOf(m.unlock).returns.toEqualTypeOf<void>();
    expectTypeOf(m.withLock(() => 1)).toEqualTypeOf<number>();
    expectTypeOf(m.withLockAsync(() => 'a')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(m.withLockAsync(() => Promise.resolve(1))).toEqualTypeOf<Promise<number>>();
    expectTypeOf(m.isLocked).toEqualTypeOf<boolean>();
    expectTypeOf(m.isHeldByCurrentThread).toEqualTypeOf<boolean>();
    expectTypeOf(m.buffer).toEqualTypeOf<SharedArrayBuffer>();
    expectTypeOf(m.byteOffset).toEqualTypeOf<number>();
    expectTypeOf<MutexGuard>().toExtend<Disposable>();
    expectTypeOf<MutexGuard['unlock']>().toEqualTypeOf<() => void>();
    expectTypeOf<NotOwnerError>().toExtend<ThreadkitError>();
    expectTypeOf<DeadlockError>().toExtend<ThreadkitError>();
    expectTypeOf<TimeoutError>().toExtend<ThreadkitError>();
    expectTypeOf<ThreadkitError['code']>().toEqualTypeOf<string>();
    // @ts-expect-error readonly
    m.byteOffset = 4;
  });

  it('withLock infers what a sync fn returns and refuses a Promise-returning fn', () => {
    const m = new Mutex();
    expectTypeOf(m.withLock(() => 'a')).toEqualTypeOf<string>();
    expectTypeOf(m.withLock(() => [1, 2] as const)).toEqualTypeOf<readonly [1, 2]>();
    expectTypeOf(m.withLock(() => {})).toEqualTypeOf<void>();
    expectTypeOf(m.withLock((): unknown => 1)).toEqualTypeOf<unknown>();
    expectTypeOf(m.withLock(() => (Math.random() < 2 ? 1 : 'b'))).toEqualTypeOf<string | number>();
    const typeOnly = () => {
      // @ts-expect-error an async fn: withLock cannot hold the lock across its await
      void m.withLock(async () => 1);
      // @ts-expect-error a fn returning a Promise
      void m.withLock(() => Promise.resolve(1));
      // @ts-expect-error a fn that may return a Promise
      void m.withLock(() => (Math.random() < 2 ? 1 : Promise.resolve(1)));
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});
