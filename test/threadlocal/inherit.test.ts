// The internal hooks the thread module calls (src/threadlocal/inherit.ts), exercised directly on one
// thread: the snapshot a Thread/pool task receives, and the isolated context it runs in.
import { describe, expect, it } from 'vitest';
import { ThreadLocal, local } from '../../src/threadlocal/index.js';
import { captureInheritable, runIsolatedWith } from '../../src/threadlocal/inherit.js';

describe('captureInheritable() / runIsolatedWith()', () => {
  it('captures only inheritable locals that have a value, as clones', () => {
    const plain = new ThreadLocal<string>();
    const unset = new ThreadLocal<string>({ inheritable: true, name: 'unset' });
    const withInitial = new ThreadLocal<number>({ inheritable: true, name: 'withInitial', initial: () => 1 });
    const requestId = new ThreadLocal<{ id: string }>({ inheritable: true, name: 'requestId' });
    plain.set('not inherited');
    expect(unset.has() || withInitial.has()).toBe(false);
    const value = { id: 'r-1' };
    const snapshot = requestId.run(value, () => captureInheritable());
    expect(snapshot).toEqual({ requestId: { id: 'r-1' } });
    expect(snapshot?.requestId).not.toBe(value);
    expect(requestId.run(value, () => isolateCapture())).toEqual({ requestId: { id: 'r-1' } });
  });

  it('returns undefined when no inheritable local has a value', () => {
    expect(captureInheritable()).toBeUndefined();
  });

  it('fails with a TypeError naming the local when a value cannot be cloned', () => {
    const handler = new ThreadLocal<() => void>({ inheritable: true, name: 'onDone' });
    handler.run(
      () => {},
      () => {
        expect(() => captureInheritable()).toThrow(TypeError);
        expect(() => captureInheritable()).toThrow(/inheritable thread-local "onDone"/);
      },
    );
  });

  it('runs fn in a fresh context seeded with the inherited values', async () => {
    const root = new ThreadLocal<string>();
    root.set('worker root');
    const seen = await runIsolatedWith({ traceId: 't-9', later: 'for a local created later' }, async () => {
      const traceId = new ThreadLocal<string>({ inheritable: true, name: 'traceId' });
      await new Promise((resolve) => setTimeout(resolve, 1));
      const createdLater = new ThreadLocal<string>({ inheritable: true, name: 'later' });
      const attrs = local<{ traceId?: string }>({ inheritable: true });
      return [traceId.get(), createdLater.get(), attrs.traceId, root.get()];
    });
    expect(seen).toEqual(['t-9', 'for a local created later', 't-9', undefined]);
    expect(root.get()).toBe('worker root');
  });

  it('keeps tasks apart: nothing set by one task is seen by the next or by the root', async () => {
    const shared = new ThreadLocal<number>({ inheritable: true, name: 'shared' });
    const mine = new ThreadLocal<number>();
    const task = (n: number) =>
      runIsolatedWith(undefined, async () => {
        const before = [shared.get(), mine.get()];
        shared.set(n);
        mine.set(n);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return [...before, shared.get(), mine.get()];
      });
    expect(await task(1)).toEqual([undefined, undefined, 1, 1]);
    expect(await task(2)).toEqual([undefined, undefined, 2, 2]);
    expect(shared.has() || mine.has()).toBe(false);
  });
});

/** captureInheritable() from inside a nested isolated context sees the same values. */
function isolateCapture() {
  return runIsolatedWith(captureInheritable(), () => captureInheritable());
}
