// Worker body: one round = workers 1…N-1 count a latch of N-1 down, worker 0 waits for it; then all
// pass a round gate whose last arrival resets the latch. One op = one round per worker. params: impl.
import { CountDownLatch } from 'threadkit/latch';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { NaiveLatch } from './naive.js';
import { GATE, RoundGate } from './rounds.js';

export default defineBody((ctx) => {
  const i32 = new Int32Array(ctx.shared);
  const count = ctx.workers - 1;
  const gate = new RoundGate(i32, GATE, ctx.workers, () => ctx.stopped());
  let latch: { countDown(): void; wait(timeoutMs: number): boolean };
  let reset: () => void;
  if (stringParam(ctx, 'impl') === 'naive') {
    const naive = new NaiveLatch(i32, 0);
    latch = naive;
    reset = () => naive.reset(count);
  } else {
    latch = CountDownLatch.from({ buffer: ctx.shared, byteOffset: 0 });
    // A latch is one-shot: clear its memory and create a fresh one in place (what a new latch per
    // round would cost, without allocating a buffer per round).
    const words = new Int32Array(ctx.shared, 0, CountDownLatch.BYTES >> 2);
    reset = () => {
      words.fill(0);
      new CountDownLatch(count, { buffer: ctx.shared, byteOffset: 0 });
    };
  }
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        if (ctx.index === 0) {
          while (!latch.wait(20)) if (ctx.stopped()) return i;
        } else {
          latch.countDown();
        }
        if (!gate.arrive(reset)) return i;
      }
    },
  };
});
