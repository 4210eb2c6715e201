// The synchronous fallback (no AsyncLocalStorage, as in browsers), selected through the internal
// storage factory. This file imports the source, not the built package, to reach that seam.
import { beforeAll, describe, expect, it } from 'vitest';
import { ThreadLocal, isolate, local } from '../../src/threadlocal/index.js';
import { useContextStorage } from '../../src/threadlocal/slots.js';
import { threadLocalContract } from './contract.js';

beforeAll(() => useContextStorage('sync'));

threadLocalContract('synchronous fallback', { ThreadLocal, local, isolate });

describe('synchronous fallback', () => {
  it('run() and isolate() scope only the synchronous call; later async work sees the root value', async () => {
    const tl = new ThreadLocal<string>();
    tl.set('root');
    const later = tl.run('scoped', async () => {
      const before = tl.get();
      await Promise.resolve();
      return [before, tl.get()];
    });
    expect(await later).toEqual(['scoped', 'root']);
    const isolated = isolate(() => {
      tl.set('isolated');
      return new Promise((resolve) => setTimeout(() => resolve(tl.get()), 1));
    });
    expect(await isolated).toBe('root');
  });

  it('set() at top level is the per-thread value', async () => {
    const tl = new ThreadLocal<number>();
    tl.set(7);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(tl.get()).toBe(7);
  });
});
