import { describe, expect, it } from 'vitest';
import {
  Barrier,
  Condition,
  CountDownLatch,
  Event,
  Mutex,
  Once,
  Queue,
  RwLock,
  Semaphore,
  spawn,
} from 'threadkit';

// Every shareable primitive must arrive in a thread as a live instance of its class, sharing memory.
describe('shareable primitives through Thread args', () => {
  it('arrive live, as instances of their class, on the same shared memory', async () => {
    const prims = {
      Mutex: new Mutex(),
      Semaphore: new Semaphore(3),
      Event: new Event(),
      CountDownLatch: new CountDownLatch(1),
      Condition: new Condition(new Mutex()),
      Barrier: new Barrier(1),
      RwLock: new RwLock(),
      Once: new Once(),
      Queue: new Queue(1),
    };
    const seen = await spawn(
      async (p: Record<string, { buffer: SharedArrayBuffer; byteOffset: number }>) => {
        const mod = await import('threadkit');
        const out: Record<string, boolean> = {};
        for (const [name, value] of Object.entries(p)) {
          const cls = (mod as unknown as Record<string, new (...a: never[]) => unknown>)[name]!;
          out[name] = value instanceof cls && value.buffer instanceof SharedArrayBuffer;
        }
        (p.Event as unknown as { set(): void }).set();
        return out;
      },
      prims as unknown as Record<string, { buffer: SharedArrayBuffer; byteOffset: number }>,
    ).join();
    expect(seen).toEqual(Object.fromEntries(Object.keys(prims).map((k) => [k, true])));
    expect(prims.Event.isSet).toBe(true);
  });
});
