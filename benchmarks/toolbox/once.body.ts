// Worker body: one round = every worker calls run() on the same fresh once (one of them runs the
// init), then all pass a round gate whose last arrival resets the once. One op = one round per worker.
// stats() reports how many inits ran, so the suite can check "exactly once per round". params: impl.
import { Once } from 'threadkit/once';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { NaiveOnce } from './naive.js';
import { GATE, RoundGate } from './rounds.js';

export default defineBody((ctx) => {
  const i32 = new Int32Array(ctx.shared);
  const gate = new RoundGate(i32, GATE, ctx.workers, () => ctx.stopped());
  let once: { run(fn: () => void): boolean };
  let reset: () => void;
  if (stringParam(ctx, 'impl') === 'naive') {
    const naive = new NaiveOnce(i32, 0);
    once = naive;
    reset = () => naive.reset();
  } else {
    once = Once.from({ buffer: ctx.shared, byteOffset: 0 });
    const words = new Int32Array(ctx.shared, 0, Once.BYTES >> 2);
    reset = () => {
      words.fill(0);
      new Once({ buffer: ctx.shared, byteOffset: 0 });
    };
  }
  let inits = 0;
  let rounds = 0;
  const init = () => {
    inits++;
  };
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        once.run(init);
        rounds++;
        if (!gate.arrive(reset)) return i;
      }
    },
    stats: () => ({ inits, rounds }),
  };
});
