// The one place that creates threads and talks to them from the creating side: Node's worker_threads
// here; the browser build swaps in worker-host.browser.ts, which maps the same calls onto Web Workers.
export { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
export type { MessagePort, TransferListItem } from 'node:worker_threads';

/** How many threads can run in parallel here: the default size of a ThreadPool. */
export { cpuCount } from './runtime.js';
