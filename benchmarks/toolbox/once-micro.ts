// Once after completion, on one thread: what every later run() costs, against a plain boolean check
// and a naive Atomics.load of a done word (the cheapest shared-memory check).
import { Once } from 'threadkit/once';
import { SMOKE_MICRO, runMicro } from '../lib/micro.js';
import type { BenchRatio, BenchRow } from '../lib/types.js';

const CASE = 'once run() after done';

export async function onceAfterDone(
  full: boolean,
  smoke: boolean,
  log: (line: string) => void,
): Promise<{ rows: BenchRow[]; ratios: BenchRatio[] }> {
  const once = new Once();
  let inits = 0;
  const init = () => {
    inits++;
  };
  once.run(init);
  let done = true;
  const word = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(word, 0, 1);
  let calls = 0; // every case does this too, so none of them is optimised away
  const results = await runMicro(
    [
      { name: 'threadkit', fn: () => void (once.run(init) || calls++) },
      { name: 'plain boolean', fn: () => void (done ? calls++ : ((done = true), init())) },
      { name: 'naive Atomics.load', fn: () => void (Atomics.load(word, 0) === 1 ? calls++ : init()) },
    ],
    { ...(smoke ? SMOKE_MICRO : { maxTime: full ? 2 : 0.5 }), log },
  );
  if (inits !== 1) throw new Error(`Once ran its init ${inits} times`);
  const hz = new Map(results.map((r) => [r.name, r.hz]));
  const rows = results.map((r) => ({
    case: CASE,
    impl: r.name,
    value: r.hz,
    unit: 'calls/s',
    higherIsBetter: true,
  }));
  const tk = hz.get('threadkit') ?? NaN;
  return {
    rows,
    ratios: [
      { label: `${CASE} vs plain boolean`, value: tk / (hz.get('plain boolean') ?? NaN) },
      { label: `${CASE} vs naive Atomics.load`, value: tk / (hz.get('naive Atomics.load') ?? NaN) },
    ],
  };
}
