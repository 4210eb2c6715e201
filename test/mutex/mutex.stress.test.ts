// Stress sizes of the same contract suite and hammer (`npm run test:stress`): more workers than cores,
// more iterations, longer watchdogs.
import { afterEach, describe, it } from 'vitest';
import { Mutex } from '../../src/mutex/index.js';
import { STRESS, terminateAll } from '../helpers/workers.js';
import { mutexSuite } from './contract.js';
import { hammer, type HammerMode } from './hammer.js';

const workers = Number(process.env.THREADKIT_STRESS_WORKERS ?? 12);
const iterations = 20_000;

describe.runIf(STRESS)('Mutex stress', () => {
  afterEach(terminateAll);

  mutexSuite('stress: non-reentrant', () => new Mutex(), { reentrant: false, workers, iterations });
  mutexSuite(
    'stress: reentrant at an offset',
    () => new Mutex({ buffer: new SharedArrayBuffer(64), byteOffset: 32, reentrant: true }),
    {
      reentrant: true,
      workers,
      iterations,
    },
  );

  const modes: HammerMode[] = ['mixed', 'chaos'];
  for (const mode of modes) {
    it(`${workers} workers × ${iterations} on 4 packed mutexes, ESM + CJS, main thread async: ${mode}`, async () => {
      const buffer = new SharedArrayBuffer(Mutex.BYTES * 4);
      const mutexes = [0, 1, 2, 3].map((i) => new Mutex({ buffer, byteOffset: i * Mutex.BYTES }));
      await hammer(mutexes, { workers, iterations, mode, mainAsync: 2000, timeoutMs: 240_000 });
      if (mode === 'mixed') {
        await hammer(mutexes, {
          workers,
          iterations: iterations / 4,
          mode: 'lock',
          flavor: 'both',
          timeoutMs: 240_000,
        });
      }
    });
  }
});
