// Worker body: two workers ping-pong through two events. Worker 0 sets PING and waits for PONG;
// worker 1 waits for PING, clears it and sets PONG. One op = one round trip. params: impl.
// Waits are timed so a worker whose peer stopped notices STOP; finish() sets both events.
import { Event } from 'threadkit/event';
import { defineBody, stringParam } from '../lib/worker-body.js';
import { NaiveEvent } from './naive.js';

/** Byte offsets of the two threadkit events (the naive ones use Int32 slots 0 and 4). */
export const PING = 0;
export const PONG = 16;

interface Flag {
  set(): void;
  clear(): void;
  wait(timeoutMs: number): boolean;
}

export default defineBody((ctx) => {
  const i32 = new Int32Array(ctx.shared);
  const naive = stringParam(ctx, 'impl') === 'naive';
  const open = (byteOffset: number): Flag =>
    naive ? new NaiveEvent(i32, byteOffset >> 2) : Event.from({ buffer: ctx.shared, byteOffset });
  const [mine, theirs] = ctx.index === 0 ? [open(PING), open(PONG)] : [open(PONG), open(PING)];
  const wait = (): boolean => {
    while (!theirs.wait(20)) if (ctx.stopped()) return false;
    return true;
  };
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        if (ctx.index === 0) {
          mine.set();
          if (!wait()) return i;
          theirs.clear();
        } else {
          if (!wait()) return i;
          theirs.clear();
          mine.set();
        }
      }
    },
    finish: () => mine.set(),
  };
});
