// Waiting for fixture workers to reach their wait, without blocking the test's event loop.
import { sleep, withWatchdog } from './toolbox-workers.js';

/** Resolves once `count` workers have bumped `ready[0]`, plus `settleMs` for them to fall asleep. */
export async function whenReady(ready: SharedArrayBuffer, count: number, settleMs = 20): Promise<void> {
  const r = new Int32Array(ready);
  await withWatchdog(
    (async () => {
      while (Atomics.load(r, 0) < count) await sleep(2);
    })(),
    5000,
    'workers starting',
  );
  await sleep(settleMs);
}
