// Worker body: the floor for a handoff, a bare Atomics.wait/notify ping-pong on one turn slot.
// Worker i waits until TURN is i, passes it to the other worker and wakes it. Needs exactly 2 workers.
import { defineBody } from '../lib/worker-body.js';

/** The turn slot (Int32 index in the shared buffer). */
const TURN = 0;
/** Stored by a worker that stopped, so the other one never waits for it. */
const STOPPED = -1;

export default defineBody((ctx) => {
  if (ctx.workers !== 2)
    throw new RangeError(`Expected 2 workers for the ping-pong body, got ${ctx.workers}`);
  const i32 = new Int32Array(ctx.shared);
  const me = ctx.index;
  const other = 1 - me;
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        for (;;) {
          const v = Atomics.load(i32, TURN);
          if (v === me) break;
          if (v === STOPPED) return i;
          // Sleeps only while TURN still holds v; the other worker stores before it notifies.
          Atomics.wait(i32, TURN, v);
        }
        Atomics.store(i32, TURN, other);
        Atomics.notify(i32, TURN, 1);
      }
    },
    finish() {
      Atomics.store(i32, TURN, STOPPED);
      Atomics.notify(i32, TURN);
    },
  };
});
