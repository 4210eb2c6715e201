// Worker body: every worker passes the barrier n times per batch. params: impl.
// finish() breaks the barrier so a worker that started one more batch after STOP is not left waiting.
import { Barrier } from 'threadkit/barrier';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { NaiveBarrier } from './naive.js';

const ABORTED = 3; // slot: the naive barrier's abort flag

export default defineBody((ctx) => {
  const i32 = new Int32Array(ctx.shared);
  if (stringParam(ctx, 'impl') === 'naive') {
    const barrier = new NaiveBarrier(i32, 0, ctx.workers);
    const aborted = () => Atomics.load(i32, ABORTED) !== 0;
    return {
      run(n) {
        for (let i = 0; i < n && barrier.wait(aborted); i++);
      },
      finish: () => Atomics.store(i32, ABORTED, 1),
    };
  }
  const barrier = Barrier.from({ buffer: ctx.shared, byteOffset: 0 });
  return {
    run(n) {
      try {
        for (let i = 0; i < n; i++) barrier.wait();
      } catch (err) {
        if (!ctx.stopped()) throw err;
      }
    },
    finish: () => barrier.abort(),
  };
});
