// Worker body: every worker passes the barrier n times per batch. params: impl.
// finish() breaks the barrier so a worker that started one more batch after STOP is not left waiting.
import { Barrier } from 'threadkit/barrier';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { requireMultithreading } from './multithreading.js';
import { NaiveBarrier } from './naive.js';

const ABORTED = 3; // slot: the naive barrier's abort flag
const FINISHED = 8; // slot: how many multithreading workers reached finish()

export default defineBody(async (ctx) => {
  const i32 = new Int32Array(ctx.shared);
  if (stringParam(ctx, 'impl') === 'multithreading') {
    // Slots 0-3: its lock, capacity, count and generation (the suite stored the capacity and count).
    const { Barrier: MtBarrier } = await requireMultithreading();
    const barrier = new MtBarrier(undefined, ctx.shared);
    return {
      run(n) {
        let i = 0;
        for (; i < n && !ctx.stopped(); i++) barrier.blockingWait();
        return i;
      },
      // It has no abort: until every worker got here, keep forcing a new generation (through its
      // memory) so a worker that went into one more wait after STOP is released.
      finish() {
        Atomics.add(i32, FINISHED, 1);
        while (Atomics.load(i32, FINISHED) < ctx.workers) {
          Atomics.store(i32, 2, ctx.workers);
          Atomics.add(i32, 3, 1);
          Atomics.notify(i32, 3);
          Atomics.wait(i32, FINISHED, Atomics.load(i32, FINISHED), 1);
        }
      },
    };
  }
  if (stringParam(ctx, 'impl') === 'naive') {
    const barrier = new NaiveBarrier(i32, 0, ctx.workers);
    // Gives up at STOP as well, so a batch in progress at STOP ends there, not only once the first
    // worker to finish its batch has set ABORTED (and woken the others).
    const aborted = () => Atomics.load(i32, ABORTED) !== 0 || ctx.stopped();
    return {
      run(n) {
        let i = 0;
        while (i < n && barrier.wait(aborted)) i++;
        return i;
      },
      finish() {
        Atomics.store(i32, ABORTED, 1);
        barrier.wakeAll();
      },
    };
  }
  const barrier = Barrier.from({ buffer: ctx.shared, byteOffset: 0 });
  return {
    run(n) {
      let i = 0;
      try {
        for (; i < n; i++) barrier.wait();
      } catch (err) {
        if (!ctx.stopped()) throw err;
      }
      return i;
    },
    finish: () => barrier.abort(),
  };
});
