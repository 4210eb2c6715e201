/* eslint-disable @typescript-eslint/require-await -- async functions here only give their types */
// Type tests (checked by `tsc --noEmit`): the option types declared locally, so that the published
// typings need no @types/node, stay what Node's Worker accepts; and the calls of Thread, spawn and
// ThreadPool: what they infer, and which calls the types refuse because they would fail at run time
// (each `@ts-expect-error` line must fail for the reason its comment gives). The calls are in
// functions that are never called: nothing here starts a thread.
import type { ResourceLimits as NodeResourceLimits, TransferListItem } from 'node:worker_threads';
import { describe, expectTypeOf, it } from 'vitest';
import { Thread, ThreadPool, spawn } from 'threadkit/thread';
import type { ResourceLimits, RunOptions, ThreadOptions } from 'threadkit/thread';

describe('thread option types', () => {
  it('ResourceLimits is Node’s, and transfer takes what Node transfers', () => {
    expectTypeOf<ResourceLimits>().toEqualTypeOf<NodeResourceLimits>();
    expectTypeOf<TransferListItem[]>().toExtend<NonNullable<ThreadOptions['transfer']>>();
    expectTypeOf<TransferListItem[]>().toExtend<NonNullable<RunOptions['transfer']>>();
  });

  it('args takes a readonly array or tuple', () => {
    expectTypeOf<readonly [1, 'a']>().toExtend<NonNullable<ThreadOptions<[number, string]>['args']>>();
    expectTypeOf<readonly number[]>().toExtend<NonNullable<RunOptions<number[]>['args']>>();
  });
});

const pair = [1, 2] as const;
const numbers: readonly number[] = [1, 2, 3];
const url = new URL('file:///task.js');

/** Thread and spawn: R and A inferred, `args` required exactly when the target needs arguments. */
function threadCalls(): void {
  expectTypeOf(new Thread((n: number) => n * 2, { args: [21] })).toEqualTypeOf<Thread<number, [n: number]>>();
  expectTypeOf(new Thread(async (n: number) => String(n), { args: [1], name: 'a' })).toEqualTypeOf<
    Thread<string, [n: number]>
  >();
  expectTypeOf(new Thread(() => 'x')).toEqualTypeOf<Thread<string, []>>();
  expectTypeOf(new Thread(() => 'x', { name: 'x', daemon: true })).toEqualTypeOf<Thread<string, []>>();
  expectTypeOf(new Thread(() => 'x', { args: [] })).toEqualTypeOf<Thread<string, []>>();
  // Optional and rest parameters: `args` may be left out.
  expectTypeOf(new Thread((n?: number) => n ?? 0)).toEqualTypeOf<Thread<number, [n?: number]>>();
  expectTypeOf(new Thread((n?: number) => n ?? 0, { args: [1] })).toEqualTypeOf<
    Thread<number, [n?: number]>
  >();
  expectTypeOf(new Thread((...xs: number[]) => xs.length)).toEqualTypeOf<Thread<number, number[]>>();
  // Readonly args: a const tuple, a readonly tuple, a readonly array.
  expectTypeOf(new Thread((a: number, b: number) => a + b, { args: [1, 2] as const })).toEqualTypeOf<
    Thread<number, [a: number, b: number]>
  >();
  expectTypeOf(new Thread((a: number, b: number) => a + b, { args: pair }).join()).toEqualTypeOf<
    Promise<number>
  >();
  expectTypeOf(
    new Thread((...xs: number[]) => xs.length, { args: numbers }).joinSync(),
  ).toEqualTypeOf<number>();
  // Module targets: options optional, args unchecked.
  expectTypeOf(new Thread(url)).toEqualTypeOf<Thread>();
  expectTypeOf(
    new Thread<number>('./task.js', { args: [1, 'a'], export: 'main' }).result,
  ).toEqualTypeOf<number>();
  expectTypeOf(new Thread(url, { args: pair })).toExtend<Thread>();

  expectTypeOf(spawn((a: number, b: string) => b.repeat(a), 2, 'x')).toEqualTypeOf<
    Thread<string, [a: number, b: string]>
  >();
  expectTypeOf(spawn(() => 1)).toEqualTypeOf<Thread<number, []>>();
  expectTypeOf(spawn(async (n?: number) => n)).toEqualTypeOf<Thread<number | undefined, [n?: number]>>();
  expectTypeOf(spawn((a: number, b: number) => a + b, ...pair)).toEqualTypeOf<
    Thread<number, [a: number, b: number]>
  >();

  // @ts-expect-error args missing: the target needs a number
  new Thread((n: number) => n);
  // @ts-expect-error args missing from the options: the target needs a number
  new Thread((n: number) => n, { name: 'x' });
  // @ts-expect-error args too short: the target needs two
  new Thread((a: number, b: string) => b + a, { args: [1] });
  // @ts-expect-error args of the wrong type
  new Thread((n: number) => n, { args: ['1'] });
  // @ts-expect-error args given to a function that takes none
  new Thread(() => 1, { args: [1] });
  // @ts-expect-error spawn: the argument missing
  spawn((n: number) => n);
  // @ts-expect-error spawn: the argument of the wrong type
  spawn((n: number) => n, '1');
}

/** ThreadPool.run and map: R and A inferred, `args` required exactly when the target needs arguments. */
function poolCalls(pool: ThreadPool): void {
  expectTypeOf(pool.run((a: number, b: number) => a + b, { args: [2, 3] })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(pool.run(async (s: string) => s.length, { args: ['hi'], timeoutMs: 5 })).toEqualTypeOf<
    Promise<number>
  >();
  expectTypeOf(pool.run(() => 'x')).toEqualTypeOf<Promise<string>>();
  expectTypeOf(pool.run(() => 'x', { timeoutMs: 5 })).toEqualTypeOf<Promise<string>>();
  expectTypeOf(pool.run((n?: number) => n ?? 0)).toEqualTypeOf<Promise<number>>();
  expectTypeOf(pool.run((...xs: number[]) => xs.length)).toEqualTypeOf<Promise<number>>();
  expectTypeOf(pool.run((a: number, b: number) => a + b, { args: [2, 3] as const })).toEqualTypeOf<
    Promise<number>
  >();
  expectTypeOf(pool.run((a: number, b: number) => a + b, { args: pair })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(pool.run((...xs: number[]) => xs.length, { args: numbers })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(pool.run(url)).toEqualTypeOf<Promise<unknown>>();
  expectTypeOf(pool.run<string, [number]>('./task.js', { args: [1], export: 'main' })).toEqualTypeOf<
    Promise<string>
  >();
  expectTypeOf(pool.map((s: string) => s.length, ['a', 'bb'])).toEqualTypeOf<Promise<number[]>>();
  expectTypeOf(pool.map(async (n: number) => String(n), numbers)).toEqualTypeOf<Promise<string[]>>();
  expectTypeOf(pool.map((n: 1 | 2) => n * 2, pair)).toEqualTypeOf<Promise<number[]>>();

  // @ts-expect-error args missing: the target needs two numbers
  void pool.run((a: number, b: number) => a + b);
  // @ts-expect-error args missing from the options: the target needs two numbers
  void pool.run((a: number, b: number) => a + b, { timeoutMs: 5 });
  // @ts-expect-error args of the wrong type
  void pool.run((a: number) => a, { args: ['1'] });
  // @ts-expect-error map: fn must take one item
  void pool.map((a: number, b: number) => a + b, numbers);
  // @ts-expect-error map: items of the wrong type
  void pool.map((s: string) => s.length, numbers);
}

/** Options typed ahead of time with the exported types fit the calls, `args` required as there. */
function reusedOptions(pool: ThreadPool): void {
  const threadOptions: ThreadOptions<[string]> = { args: ['x'], name: 'n' };
  expectTypeOf(new Thread((s: string) => s.length, threadOptions)).toEqualTypeOf<
    Thread<number, [s: string]>
  >();
  const runOptions: RunOptions<[number]> = { args: [1], timeoutMs: 100 };
  expectTypeOf(pool.run((n: number) => n, runOptions)).toEqualTypeOf<Promise<number>>();
  // Targets without required parameters: args may be left out, as in the calls.
  const optional: ThreadOptions<[n?: number]> = { name: 'n' };
  expectTypeOf(new Thread((n?: number) => n ?? 0, optional)).toEqualTypeOf<Thread<number, [n?: number]>>();
  const none: RunOptions<[]> = { timeoutMs: 5 };
  expectTypeOf(pool.run(() => 1, none)).toEqualTypeOf<Promise<number>>();
  const untyped: ThreadOptions = { name: 'module' };
  expectTypeOf(new Thread('./task.js', untyped)).toEqualTypeOf<Thread>();

  // @ts-expect-error args missing: ThreadOptions<[string]> requires them, as new Thread() does
  const missing: ThreadOptions<[string]> = { name: 'n' };
  // @ts-expect-error args missing: RunOptions<[number]> requires them, as run() does
  const missingRun: RunOptions<[number]> = { timeoutMs: 5 };
  // @ts-expect-error options for other arguments: the target takes a number
  new Thread((n: number) => n, threadOptions);
  // @ts-expect-error options for other arguments: the target takes a string
  void pool.run((s: string) => s, runOptions);
  void [missing, missingRun];
}

describe('thread call types', () => {
  it('are checked by tsc', () => {
    expectTypeOf(threadCalls).toBeFunction();
    expectTypeOf(poolCalls).toBeFunction();
    expectTypeOf(reusedOptions).toBeFunction();
  });
});
