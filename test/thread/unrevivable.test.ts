// A value that cannot be revived on the receiving side (a primitive whose module that thread never
// loaded) fails the one thread or task it belongs to, never the process or the pool. The realistic
// case (a Semaphore made in a worker, a main thread that never imported threadkit/semaphore) needs a
// main thread without that module: the fixtures run in a child process, since this one loaded every
// module. Here, a primitive registered in one thread only stands in for it (unknown-primitive.mjs):
// 'MainOnly' is made here and unknown to workers, 'WorkerOnly' made in a worker and unknown here.
// (A plain object that merely looks like the codec's tagged record is data, not a primitive: it
// arrives unchanged, see shareables.test.ts.)
import { describe, expect, it } from 'vitest';
import { Thread, ThreadPool } from 'threadkit/thread';
import { runFixture, watchdog } from './helpers.js';
import { unknownPrimitive } from '../fixtures/thread/unknown-primitive.mjs';

const CANNOT_REVIVE = /^Cannot revive a Semaphore: its module is not loaded in this thread \(import it here/;
/** A primitive that only this thread can revive. */
const mainOnly = (): object => unknownPrimitive('MainOnly');
/** Makes, in a worker, a primitive that only that worker can revive. */
const workerOnly = async (): Promise<unknown> =>
  (await import('../fixtures/thread/unknown-primitive.mjs')).unknownPrimitive('WorkerOnly');

interface Outcome {
  value?: unknown;
  name?: string;
  message?: string;
  cause?: string;
}

async function fixture(mode: 'pool' | 'thread'): Promise<Record<string, Outcome>> {
  const { stdout, stderr, code } = await runFixture('unloaded-results.mjs', [mode]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(stdout) as Record<string, Outcome>;
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

const failed = (out: Outcome) => {
  expect(out.name).toBe('TypeError');
  expect(out.message).toMatch(CANNOT_REVIVE);
};

describe('a value that cannot be revived', () => {
  it('a pool result rejects its task; the pool and the process go on', async () => {
    const out = await fixture('pool');
    failed(out.result!);
    expect(out.after).toEqual({ value: 5 });
    failed(out.map!);
    expect(out.mapAfter).toEqual({ value: [2, 4, 6] });
    failed(out.thrown!); // thrown as-is, not inside an error
    expect(out.last).toEqual({ value: 'ok' });
  });

  it('inside a thrown error: rejects with the codec error, the thrown error as its cause', async () => {
    const out = await fixture('pool');
    for (const [key, thrown, cause] of [
      ['errorProp', 'RangeError', 'bad'],
      ['errorCause', 'Error', 'outer'],
    ] as const) {
      failed(out[key]!);
      expect(out[key]!.message).toContain(`; it was part of the ${thrown} the thread threw`);
      expect(out[key]!.cause).toBe(cause);
    }
  });

  it('a thread result fails the thread: join, result, joinSync', async () => {
    const out = await fixture('thread');
    failed(out.join!);
    failed(out.result!);
    expect(out.isAlive).toBe(false);
    failed(out.joinSync!);
    failed(out.joinAfterSync!);
    failed(out.thrown!);
    expect(out.after).toEqual({ value: 'ok' });
  });

  it('in this process too: a pool task and a thread fail alone, with the caller in the stack', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const err = (await watchdog(pool.run(workerOnly).catch((e: unknown) => e))) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/^Cannot revive a WorkerOnly: its module is not loaded in this thread/);
    expect(err.stack).toContain('unrevivable.test.ts');
    expect(await watchdog(pool.run(() => 'next'))).toBe('next');
    const t = new Thread(workerOnly).start();
    await expect(watchdog(t.join())).rejects.toThrow(/^Cannot revive a WorkerOnly/);
  });

  it('an argument the worker cannot revive rejects the task or thread', async () => {
    await using pool = new ThreadPool({ size: 1 });
    await expect(watchdog(pool.run((x) => x, { args: [mainOnly()] }))).rejects.toThrow(
      /^Cannot revive a MainOnly/,
    );
    expect(await watchdog(pool.run((x: number) => x + 1, { args: [1] }))).toBe(2);
    const t = new Thread((x: unknown) => x, { args: [mainOnly()] }).start();
    await expect(watchdog(t.join())).rejects.toThrow(/^Cannot revive a MainOnly/);
  });

  it('an abort reason the worker cannot revive still stops the task, and the worker lives on', async () => {
    await using pool = new ThreadPool({ size: 1 });
    const workerId = () => pool.run(async () => (await import('node:worker_threads')).threadId);
    const before = await watchdog(workerId());
    const ac = new AbortController();
    const started = new Int32Array(new SharedArrayBuffer(4));
    const running = pool.run(
      async (flag: Int32Array) => {
        const { currentTask } = await import('threadkit/thread');
        const signal = currentTask()!.signal;
        Atomics.store(flag, 0, 1);
        await new Promise((r) => signal.addEventListener('abort', r));
      },
      { args: [started], signal: ac.signal },
    );
    await watchdog(waitFor(() => Atomics.load(started, 0) === 1));
    const reason = mainOnly();
    ac.abort(reason);
    await expect(watchdog(running)).rejects.toBe(reason);
    // Was: the worker died of an uncaught TypeError (a new one ran this); or, had the task not seen
    // the abort, it would have been terminated after its grace period.
    expect(await watchdog(workerId())).toBe(before);
  });
});
