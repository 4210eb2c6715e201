// A plain module Web Worker for the browser smoke test: increments a shared counter under a Mutex that
// arrives as structured-cloned data. Import maps do not apply inside workers, so it imports the browser
// build by path.
import { Mutex } from '/dist/browser/mutex.js';

self.onmessage = ({ data }) => {
  try {
    const m = Mutex.from(data.mutex);
    const counter = new Int32Array(data.counter);
    if (data.hold) {
      // Hold the lock for `hold` ms, flag that it is held, then release.
      const g = m.lock();
      Atomics.store(counter, 1, 1);
      Atomics.wait(counter, 1, 1, data.hold);
      g.unlock();
    } else {
      for (let i = 0; i < data.n; i++) {
        const g = m.lock();
        // Non-atomic read-modify-write: only the mutex keeps it exact.
        const v = counter[0];
        counter[0] = v + 1;
        g.unlock();
      }
    }
    self.postMessage({ ok: true });
  } catch (err) {
    self.postMessage({ ok: false, error: `${err.name}: ${err.message}` });
  }
};
