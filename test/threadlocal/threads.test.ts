// Thread-locals across real threads: needs threadkit/thread (Thread, ThreadPool, currentThread).
// Until that module exports a working Thread these tests are skipped (see threadModuleReady).
import { afterAll, describe, expect, it } from 'vitest';
import * as threadModule from 'threadkit/thread';
import { ThreadLocal, local } from 'threadkit/threadlocal';

/** The parts of the DESIGN.md thread API these tests use. */
interface ThreadApi {
  Thread: new <R, A extends unknown[]>(
    target: (...args: A) => R | Promise<R>,
    options?: { args?: A; name?: string },
  ) => { start(): { join(): Promise<R> }; join(): Promise<R> };
  ThreadPool: new (options?: { size?: number }) => {
    run<R, A extends unknown[]>(target: (...args: A) => R | Promise<R>, options?: { args?: A }): Promise<R>;
    close: () => Promise<void>;
  };
  currentThread: () => { name: string; threadId: number; isMainThread: boolean };
}
const api = threadModule as unknown as Partial<ThreadApi>;
const threadModuleReady = typeof api.Thread === 'function' && typeof api.ThreadPool === 'function';
const { Thread, ThreadPool, currentThread } = api as ThreadApi;

/** The fixture module, imported inside each thread (a thread target must be self-contained). */
const schoolUrl = new URL('../fixtures/threadlocal/school.mjs', import.meta.url).href;
interface SchoolModule {
  school: { student?: string };
  visits: ThreadLocal<number>;
  processStudent: () => string;
}

describe.skipIf(!threadModuleReady)('thread-locals across threads', () => {
  const pool = threadModuleReady ? new ThreadPool({ size: 1 }) : undefined;
  afterAll(() => pool?.close());

  it('Alice and Bob: each thread binds its own student (Python threading.local example)', async () => {
    const mine = local<{ student?: string }>();
    mine.student = 'Main';
    const processThread = async (name: string, url: string) => {
      const { school, processStudent } = (await import(url)) as SchoolModule;
      school.student = name;
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the other thread run meanwhile
      return processStudent();
    };
    const a = new Thread(processThread, { name: 'Thread-A', args: ['Alice', schoolUrl] }).start();
    const b = new Thread(processThread, { name: 'Thread-B', args: ['Bob', schoolUrl] }).start();
    expect(await Promise.all([a.join(), b.join()])).toEqual([
      'Hello, Alice (in Thread-A)',
      'Hello, Bob (in Thread-B)',
    ]);
    expect(mine.student).toBe('Main');
    expect(currentThread().name).toBe('MainThread');
  });

  it('pool tasks on the same worker never see each other’s values', async () => {
    const task = async (name: string, url: string) => {
      const { school, visits } = (await import(url)) as SchoolModule;
      const before = [school.student ?? null, visits.get() ?? null];
      school.student = name;
      visits.set((visits.get() ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return before;
    };
    expect(await pool!.run(task, { args: ['first', schoolUrl] })).toEqual([null, null]);
    expect(await pool!.run(task, { args: ['second', schoolUrl] })).toEqual([null, null]);
  });

  it('inheritable values set at creation/submission arrive in Threads and pool tasks', async () => {
    const requestId = new ThreadLocal<{ id: string }>({ inheritable: true, name: 'requestId' });
    const plain = new ThreadLocal<string>({ name: 'plain' });
    plain.set('not inherited');
    const readInWorker = async () => {
      const { ThreadLocal: Local } = await import('threadkit/threadlocal');
      return [new Local({ inheritable: true, name: 'requestId' }).get() ?? null];
    };
    const thread = requestId.run({ id: 'r-1' }, () => new Thread(readInWorker).start());
    requestId.set({ id: 'changed after creation' });
    expect(await thread.join()).toEqual([{ id: 'r-1' }]);
    expect(await requestId.run({ id: 'r-2' }, () => pool!.run(readInWorker))).toEqual([{ id: 'r-2' }]);
    requestId.delete();
    expect(await pool!.run(readInWorker)).toEqual([null]);
  });

  it('a non-cloneable inheritable value fails at submission with an error naming the local', async () => {
    const onDone = new ThreadLocal<() => void>({ inheritable: true, name: 'onDone' });
    const noop = () => 0;
    await onDone.run(
      () => {},
      async () => {
        expect(() => new Thread(noop).start()).toThrow(/"onDone"/);
        await expect(async () => pool!.run(noop)).rejects.toThrow(/"onDone"/);
      },
    );
    expect(await pool!.run(noop)).toBe(0);
  });
});
