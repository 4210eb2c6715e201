// Runs inside each benchmark worker: set the body up, wait at the start barrier, run batches until the
// main thread sets STOP, then report. Started by runWorkers() in ./workers.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { START, STOP, type WorkerInit, type WorkerReport } from './control.js';
import type { WorkerBodyFactory } from './worker-body.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('worker-entry.ts must run in a worker thread');

const control = new Int32Array(init.control);
const stopped = (): boolean => Atomics.load(control, STOP) !== 0;
const clock = (): number => performance.timeOrigin + performance.now();

const mod = (await import(init.body)) as { default?: unknown };
if (typeof mod.default !== 'function') {
  throw new TypeError(
    `Expected ${init.body} to default-export a WorkerBodyFactory, got ${typeof mod.default}`,
  );
}
const body = await (mod.default as WorkerBodyFactory)({
  index: init.index,
  workers: init.workers,
  shared: init.shared,
  params: init.params,
  stopped,
});

port.postMessage({ type: 'ready' });
// Start barrier: sleep while START is 0; the main thread stores 1 and notifies everyone at once.
while (Atomics.load(control, START) === 0) Atomics.wait(control, START, 0);

const startedAt = clock();
let ops = 0;
const batch = init.batch;
do {
  const done = body.run(batch);
  ops += typeof done === 'number' ? done : batch;
} while (!stopped());
const stoppedAt = clock();
body.finish?.();

const report: WorkerReport = { index: init.index, ops, startedAt, stoppedAt, stats: body.stats?.() ?? {} };
port.postMessage({ type: 'report', report });
