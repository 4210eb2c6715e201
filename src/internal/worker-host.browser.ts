// Browser build of worker-host.ts: the subset of Node's worker_threads that Thread and ThreadPool use,
// on module Web Workers. Same exports; the worker side is worker-scope.browser.ts.
//
// What a Web Worker lacks and how it is made up:
//   - workerData: sent as the first message ({ [INIT]: data }); the worker answers { [CONTROL]: 'online' }.
//   - 'exit': the worker posts { [CONTROL]: 'exit', code } before it closes itself; terminate() and an
//     uncaught error (after 'error') end it with code 1, as on Node. Emitted asynchronously, as on Node.
//   - threadId: handed out here and given to the worker as its name ('threadkit:<id>'), which the
//     worker's runtime layer reads before any other code runs. Ids from the page count up from 1;
//     a worker creating workers cannot share that counter and picks random ids in [2^20, 2^27).
//   - ref()/unref(): nothing keeps a page alive, so they do nothing.
//   - receiveMessageOnPort: impossible in browsers; it returns undefined (Thread.joinSync() relies on
//     it only off the main thread, where browsers would let it block).

/** Key of the first message, which carries workerData. */
const INIT = '__threadkitInit';
/** Key of the worker's control messages ('online', 'exit'). */
const CONTROL = '__threadkit';

type Listener = (value: never) => void;

interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null;
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  terminate(): void;
}
type WebWorkerConstructor = new (url: URL, options: { type: 'module'; name: string }) => WebWorker;

interface WebMessagePort {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  close(): void;
}

/** Objects that may be transferred; the browser checks them. */
export type TransferListItem = unknown;

const isMainThread = typeof (globalThis as { window?: unknown }).window !== 'undefined';
let nextId = 1;
function allocateId(): number {
  if (isMainThread) return nextId++;
  return 2 ** 20 + Math.floor(Math.random() * (2 ** 27 - 2 ** 20));
}

/** Per-event listener lists, as on Node's EventEmitter (only what Thread and ThreadPool use). */
class Emitter {
  readonly #listeners = new Map<string, Set<Listener>>();

  on(event: string, fn: Listener): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn);
    return this;
  }

  once(event: string, fn: Listener): this {
    const wrapped = ((value: never) => {
      this.off(event, wrapped);
      fn(value);
    }) as Listener;
    return this.on(event, wrapped);
  }

  off(event: string, fn: Listener): this {
    this.#listeners.get(event)?.delete(fn);
    return this;
  }

  protected emit(event: string, value?: unknown): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) fn(value as never);
  }
}

/** A thread on a module Web Worker, with the events and methods of Node's `Worker` that threadkit uses. */
export class Worker extends Emitter {
  readonly threadId: number = allocateId();
  readonly #web: WebWorker;
  #exitCode: number | undefined;

  constructor(
    url: URL,
    options: { workerData?: unknown; transferList?: readonly unknown[]; resourceLimits?: object },
  ) {
    super();
    const WebWorkerClass = (globalThis as unknown as { Worker: WebWorkerConstructor }).Worker;
    this.#web = new WebWorkerClass(url, { type: 'module', name: `threadkit:${this.threadId}` });
    this.#web.onmessage = ({ data }) => {
      const control =
        data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[CONTROL] : undefined;
      if (control === 'online') this.emit('online');
      else if (control === 'exit') this.#exit(Number((data as { code?: unknown }).code ?? 0));
      else this.emit('message', data);
    };
    this.#web.onerror = (event) => {
      event.preventDefault();
      this.emit('error', new Error(event.message));
      this.#exit(1);
    };
    this.#web.postMessage({ [INIT]: options.workerData }, options.transferList ?? []);
  }

  postMessage(message: unknown, transfer?: readonly unknown[]): void {
    this.#web.postMessage(message, transfer ?? []);
  }

  /** Stops the worker at once; resolves with exit code 1, as Node does. */
  terminate(): Promise<number> {
    this.#exit(1);
    return Promise.resolve(this.#exitCode ?? 1);
  }

  ref(): void {}
  unref(): void {}

  #exit(code: number): void {
    if (this.#exitCode !== undefined) return;
    this.#exitCode = code;
    this.#web.terminate();
    setTimeout(() => this.emit('exit', code), 0);
  }
}

/** The creator's end of a MessageChannel, with Node's `on('message')`, `unref()` and `close()`. */
export class MessagePort extends Emitter {
  readonly #native: WebMessagePort;

  constructor(native: WebMessagePort) {
    super();
    this.#native = native;
    native.onmessage = ({ data }) => this.emit('message', data);
  }

  postMessage(message: unknown, transfer?: readonly unknown[]): void {
    this.#native.postMessage(message, transfer ?? []);
  }

  unref(): void {}

  close(): void {
    this.#native.close();
  }
}

/** A channel whose `port1` stays with the creator (wrapped) and whose `port2` (native) is transferred. */
export class MessageChannel {
  readonly port1: MessagePort;
  readonly port2: WebMessagePort;

  constructor() {
    const NativeChannel = (
      globalThis as unknown as { MessageChannel: new () => { port1: WebMessagePort; port2: WebMessagePort } }
    ).MessageChannel;
    const channel = new NativeChannel();
    this.port1 = new MessagePort(channel.port1);
    this.port2 = channel.port2;
  }
}

/** Browsers cannot take a message off a port synchronously. */
export function receiveMessageOnPort(_port: MessagePort): { message: unknown } | undefined {
  return undefined;
}

/** How many threads can run in parallel here: the default size of a ThreadPool. */
export { cpuCount } from './runtime.js';
