// Many waits sharing one AbortSignal: one 'abort' listener in all (no MaxListenersExceededWarning),
// none left once they settle, and an abort still reaches every wait.
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Condition } from 'threadkit/condition';
import { Event } from 'threadkit/event';
import { Mutex } from 'threadkit/mutex';
import { Semaphore } from 'threadkit/semaphore';
import { Thread } from 'threadkit/thread';

const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

const settle = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e as Error).message,
  );

describe('one AbortSignal shared by many waits', () => {
  it('20 lockAsync, waitAsync, acquireAsync and Condition waits: one listener, aborted together, then none', async () => {
    const ctrl = new AbortController();
    const { signal } = ctrl;
    const m = new Mutex();
    const held = m.lock();
    const ev = new Event();
    const sem = new Semaphore(0);
    const cm = new Mutex();
    const cond = new Condition(cm);
    const waits: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      waits.push(settle(m.lockAsync({ signal })));
      waits.push(settle(ev.waitAsync({ signal })));
      waits.push(settle(sem.acquireAsync(1, { signal })));
    }
    for (let i = 0; i < 12; i++) {
      waits.push(
        settle(
          (async () => {
            const g = await cm.lockAsync();
            try {
              await cond.waitAsync(g, { signal });
            } finally {
              g.unlock();
            }
          })(),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(2); // one per build at most
    ctrl.abort(new Error('stop'));
    const outcomes = await Promise.all(waits);
    expect(outcomes.every((o) => o === 'stop')).toBe(true);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    held.unlock();
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('waits that settle normally take their registration with them', async () => {
    const { signal } = new AbortController();
    const m = new Mutex();
    for (let round = 0; round < 3; round++) {
      const held = m.lock();
      const waits = Array.from({ length: 15 }, () => m.lockAsync({ signal }).then((g) => g.unlock()));
      held.unlock();
      await Promise.all(waits);
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('12 threads started with one signal: one listener while they run, none after', async () => {
    const ctrl = new AbortController();
    const threads = Array.from({ length: 12 }, () =>
      new Thread(() => new Promise((r) => setTimeout(r, 50, 1)), { signal: ctrl.signal }).start(),
    );
    expect(getEventListeners(ctrl.signal, 'abort').length).toBeLessThanOrEqual(1);
    await Promise.all(threads.map((t) => t.join()));
    expect(getEventListeners(ctrl.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
