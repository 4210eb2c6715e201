// Queue against a MessagePort, measured in the same run: one echo worker, two shapes of traffic.
//   round trip: the main thread sends one small object and awaits it back before sending the next
//     (latency: Queue getAsync/put vs. postMessage/'message' each way);
//   stream: the main thread sends N objects one way as fast as the channel takes them, the worker
//     acknowledges the last one (throughput; the Queue's capacity bounds it, the port is unbounded).
import { Worker } from 'node:worker_threads';
import { Queue } from 'threadkit/queue';
import type { BenchRatio, BenchRow } from '../lib/types.js';

const ROUND_TRIP = 'queue round trip';
const STREAM = 'queue one-way stream';

/** The echo worker, plain CommonJS so it runs without a loader. */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { Queue } = require('threadkit/queue');
const { mode, toWorker, toMain } = workerData;
if (mode === 'queue') {
  const inQ = Queue.from(toWorker), outQ = Queue.from(toMain);
  for (;;) {
    let v;
    try { v = inQ.get(); } catch { break; }
    if (v.echo) outQ.put(v);
  }
} else {
  parentPort.on('message', (v) => { if (v === null) parentPort.close(); else if (v.echo) parentPort.postMessage(v); });
}`;

const message = (i: number, echo: boolean) => ({ i, echo, payload: 'x'.repeat(32) });

async function measure(mode: 'queue' | 'port', shape: string, count: number): Promise<number> {
  const toWorker = new Queue<ReturnType<typeof message>>(256);
  const toMain = new Queue<ReturnType<typeof message>>(256);
  const worker = new Worker(WORKER, { eval: true, workerData: { mode, toWorker, toMain } });
  await new Promise((resolve) => worker.once('online', resolve));
  const replies: ((v: unknown) => void)[] = [];
  worker.on('message', (v) => replies.shift()?.(v));
  const portReply = () => new Promise((resolve) => replies.push(resolve));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const echo = shape === ROUND_TRIP || i === count - 1;
    if (mode === 'queue') {
      await toWorker.putAsync(message(i, echo));
      if (echo) await toMain.getAsync();
    } else {
      worker.postMessage(message(i, echo));
      if (echo) await portReply();
    }
  }
  const elapsed = performance.now() - t0;
  toWorker.close();
  worker.postMessage(null);
  await worker.terminate();
  return (count / elapsed) * 1000;
}

/** Rows and Queue/port ratios for both shapes. */
export async function queueVsPort(
  full: boolean,
  smoke: boolean,
  log: (line: string) => void,
): Promise<{ rows: BenchRow[]; ratios: BenchRatio[] }> {
  const rows: BenchRow[] = [];
  const ratios: BenchRatio[] = [];
  for (const [shape, count] of [
    [ROUND_TRIP, smoke ? 200 : full ? 50_000 : 5_000],
    [STREAM, smoke ? 2_000 : full ? 500_000 : 50_000],
  ] as const) {
    const value = new Map<string, number>();
    for (const impl of ['queue', 'port'] as const) {
      const v = await measure(impl, shape, count);
      value.set(impl, v);
      const name = impl === 'queue' ? 'threadkit Queue' : 'MessagePort';
      rows.push({
        case: shape,
        impl: name,
        value: v,
        unit: 'messages/s',
        higherIsBetter: true,
        params: { workers: 1 },
      });
      log(`${shape} ${name}: ${Math.round(v).toLocaleString('en')} messages/s`);
    }
    ratios.push({ label: `${shape}: Queue vs MessagePort`, value: value.get('queue')! / value.get('port')! });
  }
  return { rows, ratios };
}
