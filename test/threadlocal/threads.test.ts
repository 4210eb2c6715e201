// Thread-locals across real threads, with Thread, ThreadPool and currentThread from threadkit/thread.
import { afterAll, describe, expect, it } from 'vitest';
import { Thread, ThreadPool, currentThread } from 'threadkit/thread';
import { ThreadLocal, local } from 'threadkit/threadlocal';

/** The fixture module, imported inside each thread (a thread target must be self-contained). */
const schoolUrl = new URL('../fixtures/threadlocal/school.mjs', import.meta.url).href;
interface SchoolModule {
  school: { student?: string };
  visits: ThreadLocal<number>;
  processStudent: () => string;
}

describe('thread-locals across threads', () => {
  const pool = new ThreadPool({ size: 1 });
  afterAll(() => pool.close());

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
    expect(await pool.run(task, { args: ['first', schoolUrl] })).toEqual([null, null]);
    expect(await pool.run(task, { args: ['second', schoolUrl] })).toEqual([null, null]);
  });

  it('inheritable values set at creation/submission arrive in Threads and pool tasks', async () => {
    const requestId = new ThreadLocal<{ id: string }>({ inheritable: true, name: 'requestId' });
    const plain = new ThreadLocal<string>({ name: 'plain' });
    plain.set('not inherited');
    // The specifier travels in `args`: vitest rewrites literal bare specifiers in this file's source.
    const readInWorker = async (spec: string) => {
      const { ThreadLocal: Local } = (await import(spec)) as typeof import('threadkit/threadlocal');
      return [new Local({ inheritable: true, name: 'requestId' }).get() ?? null];
    };
    const args: [string] = ['threadkit/threadlocal'];
    const thread = requestId.run({ id: 'r-1' }, () => new Thread(readInWorker, { args }).start());
    requestId.set({ id: 'changed after creation' });
    expect(await thread.join()).toEqual([{ id: 'r-1' }]);
    expect(await requestId.run({ id: 'r-2' }, () => pool.run(readInWorker, { args }))).toEqual([
      { id: 'r-2' },
    ]);
    requestId.delete();
    expect(await pool.run(readInWorker, { args })).toEqual([null]);
  });

  it('a non-cloneable inheritable value fails at submission with an error naming the local', async () => {
    const onDone = new ThreadLocal<() => void>({ inheritable: true, name: 'onDone' });
    const noop = () => 0;
    await onDone.run(
      () => {},
      async () => {
        // One message for both: it must not say "a new thread" to a pool task.
        const message = /^Cannot pass inheritable thread-local "onDone" to a new Thread or ThreadPool task: /;
        expect(() => new Thread(noop).start()).toThrow(message);
        await expect(async () => pool.run(noop)).rejects.toThrow(message);
      },
    );
    expect(await pool.run(noop)).toBe(0);
  });
});
