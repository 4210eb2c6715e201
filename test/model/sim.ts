// A deterministic simulator of shared memory, futex wait/notify and time, for model-checking lock
// algorithms loaded with `loadModel` (see transform.ts). Simulated threads are generators; each atomic
// step is one `yield`, so the scheduler (driven by a fast-check script) decides which thread takes the
// next step. Wait/notify follows the ECMAScript waiter lists: FIFO per location, with timeouts in
// simulated time; spurious wake-ups, aborted async waits (which stay in the list and absorb a notify,
// like a native `Atomics.waitAsync`), and thread deaths are events the script can inject.

/** Yielded by a simulated thread that blocks until something wakes it. */
export const BLOCK = Symbol('block');

/** A thread's body: a generator of steps. */
export type Body = Generator<unknown, unknown, unknown>;

/** A synchronous promise: `then` callbacks run when it resolves, inside the step that resolves it. */
export class SimPromise<T = unknown> {
  #settled = false;
  #value: T | undefined;
  #callbacks: ((v: T) => void)[] = [];

  constructor(executor?: (resolve: (v: T) => void) => void) {
    executor?.((v) => this.resolve(v));
  }

  /** `Promise.resolve` of the simulated code. */
  static resolve<T>(v: T): SimPromise<T> {
    return SimPromise.resolved(v);
  }

  static resolved<T>(v: T): SimPromise<T> {
    const p = new SimPromise<T>();
    p.resolve(v);
    return p;
  }

  get settled(): boolean {
    return this.#settled;
  }

  get value(): T | undefined {
    return this.#value;
  }

  resolve(v: T): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#value = v;
    for (const cb of this.#callbacks.splice(0)) cb(v);
  }

  then(cb: (v: T) => void): this {
    if (this.#settled) cb(this.#value as T);
    else this.#callbacks.push(cb);
    return this;
  }
}

/** A simulated thread. */
export interface SimThread {
  readonly id: number;
  readonly name: string;
  body: Body;
  status: 'ready' | 'blocked' | 'done' | 'dead';
  /** Passed to the body's next `next()`: the outcome of a wait. */
  resumeWith: unknown;
  /** What it is blocked on, for failure reports. */
  blockedOn: string;
  /** Abort controller of an async waiter, fired by an 'abort' event. */
  controller?: AbortController;
}

interface WaitRecord {
  readonly index: number;
  readonly deadline: number;
  readonly thread?: SimThread;
  readonly promise?: SimPromise<string>;
  cancelled: boolean;
}

/** Everything the transformed code calls instead of the runtime. */
export class Sim {
  time = 0;
  readonly threads: SimThread[] = [];
  readonly trace: string[] = [];
  /** Thread ids (runtime ids) of simulated threads that died. */
  readonly dead = new Set<number>();
  current: SimThread | undefined;
  readonly Promise = SimPromise;
  readonly #waiters: WaitRecord[] = [];
  readonly #timers: { at: number; fn: () => void }[] = [];

  readonly now = (): number => this.time;
  readonly isThreadDead = (threadId: number): boolean => this.dead.has(threadId);
  /** Every simulated thread may block (Atomics.wait): none is a browser main thread. */
  readonly canBlock = (): boolean => true;

  /** The Atomics operations, each one scheduling point. */
  readonly atomics = {
    *load(a: Int32Array, i: number) {
      yield;
      return Atomics.load(a, i);
    },
    *store(a: Int32Array, i: number, v: number) {
      yield;
      return Atomics.store(a, i, v);
    },
    *compareExchange(a: Int32Array, i: number, expected: number, v: number) {
      yield;
      return Atomics.compareExchange(a, i, expected, v);
    },
    *exchange(a: Int32Array, i: number, v: number) {
      yield;
      return Atomics.exchange(a, i, v);
    },
    *add(a: Int32Array, i: number, v: number) {
      yield;
      return Atomics.add(a, i, v);
    },
    *sub(a: Int32Array, i: number, v: number) {
      yield;
      return Atomics.sub(a, i, v);
    },
    *or(a: Int32Array, i: number, v: number) {
      yield;
      return Atomics.or(a, i, v);
    },
    *and(a: Int32Array, i: number, v: number) {
      yield;
      return Atomics.and(a, i, v);
    },
  };

  spawn(name: string, make: (t: SimThread) => Body): SimThread {
    const t: SimThread = {
      id: this.threads.length,
      name,
      body: undefined as unknown as Body,
      status: 'ready',
      resumeWith: undefined,
      blockedOn: '',
    };
    t.body = make(t);
    this.threads.push(t);
    return t;
  }

  /** Atomics.wait: FIFO per index, `timeoutMs` in simulated time. */
  *waitSync(a: Int32Array, index: number, expected: number, timeoutMs: number): Body {
    yield;
    if (Atomics.load(a, index) !== expected) return 'not-equal';
    if (timeoutMs <= 0) return 'timed-out';
    const t = this.#self();
    this.#waiters.push({ index, deadline: this.time + timeoutMs, thread: t, cancelled: false });
    t.blockedOn = `wait(${index}, ${expected.toString(16)}, ${timeoutMs})`;
    return yield BLOCK;
  }

  /** Atomics.notify: wakes up to `count` waiters on `index`, oldest first. */
  *notify(_a: Int32Array, index: number, count: number): Body {
    yield;
    let woken = 0;
    for (const rec of [...this.#waiters]) {
      if (woken >= count) break;
      if (rec.index !== index) continue;
      this.#wake(rec, 'ok');
      woken++;
    }
    this.#log(`notify(${index}, ${count}) woke ${woken}`);
    return woken;
  }

  /** Atomics.waitAsync as wrapped by src/internal/wait.ts (a cancelled wait stays listed). */
  *waitAsync(a: Int32Array, index: number, expected: number, timeoutMs: number): Body {
    yield;
    if (Atomics.load(a, index) !== expected) {
      return { result: SimPromise.resolved('not-equal'), cancel() {}, absorbsNotify: false };
    }
    const promise = new SimPromise<string>();
    const rec: WaitRecord = { index, deadline: this.time + timeoutMs, promise, cancelled: false };
    this.#waiters.push(rec);
    return { result: promise, cancel: () => (rec.cancelled = true), absorbsNotify: true };
  }

  /** abort-listeners.ts's `onAbort`, on the model's signals: a listener of its own per wait. */
  onAbort(signal: AbortSignal, callback: () => void): () => void {
    signal.addEventListener('abort', callback, { once: true });
    return () => signal.removeEventListener('abort', callback);
  }

  /** `await p`: one scheduling point, or blocks until `p` resolves. */
  *await(p: unknown): Body {
    if (!(p instanceof SimPromise)) {
      yield;
      return p;
    }
    if (p.settled) yield;
    else {
      const t = this.#self();
      t.blockedOn = 'await';
      p.then(() => this.#ready(t, undefined));
      yield BLOCK;
    }
    return p.value as unknown;
  }

  /** Runs one step of `t`. Throws what the thread throws. */
  step(t: SimThread): void {
    this.current = t;
    const input = t.resumeWith;
    t.resumeWith = undefined;
    const r = t.body.next(input);
    this.current = undefined;
    if (t.status === 'dead') return;
    if (r.done) t.status = 'done';
    else if (r.value === BLOCK) t.status = 'blocked';
  }

  /** Runs `fn` (outside any thread) once simulated time reaches `at`: a timer such as an abort. */
  at(at: number, fn: () => void): void {
    this.#timers.push({ at, fn });
  }

  /** The earliest time at which a wait times out or a timer fires. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const { deadline } of this.#waiters)
      if (deadline !== Infinity && (min === undefined || deadline < min)) min = deadline;
    for (const { at } of this.#timers) if (min === undefined || at < min) min = at;
    return min;
  }

  /** Advances simulated time and times out every wait whose deadline passed. */
  advance(to: number): void {
    this.time = Math.max(this.time, to);
    for (const timer of [...this.#timers]) {
      if (timer.at > this.time) continue;
      this.#timers.splice(this.#timers.indexOf(timer), 1);
      timer.fn();
    }
    for (const rec of [...this.#waiters]) {
      if (rec.deadline > this.time) continue;
      this.#wake(rec, 'timed-out');
      this.#log(`time ${this.time}: a wait timed out`);
    }
  }

  /** Sync waiters that a spurious wake-up can hit. */
  sleepers(): SimThread[] {
    return this.#waiters.flatMap((r) => (r.thread ? [r.thread] : []));
  }

  spuriousWake(t: SimThread): void {
    const rec = this.#waiters.find((r) => r.thread === t);
    if (rec) this.#wake(rec, 'ok');
    this.#log(`spurious wake of ${t.name}`);
  }

  /** The thread dies at once (terminate/crash): no finally blocks run, its waits vanish. */
  kill(t: SimThread, threadId: number): void {
    t.status = 'dead';
    for (let i = this.#waiters.length - 1; i >= 0; i--)
      if (this.#waiters[i]!.thread === t) this.#waiters.splice(i, 1);
    this.dead.add(threadId);
    this.#log(`${t.name} died`);
  }

  describe(): string {
    const threads = this.threads.map(
      (t) => `${t.name}: ${t.status}${t.status === 'blocked' ? ` on ${t.blockedOn}` : ''}`,
    );
    return `${threads.join('; ')}\nlast steps:\n  ${this.trace.slice(-25).join('\n  ')}`;
  }

  log(line: string): void {
    this.#log(line);
  }

  #log(line: string): void {
    this.trace.push(line);
    if (this.trace.length > 200) this.trace.splice(0, 100);
  }

  #self(): SimThread {
    if (!this.current) throw new Error('a simulated operation ran outside a simulated thread');
    return this.current;
  }

  #ready(t: SimThread, value: unknown): void {
    if (t.status !== 'blocked') return;
    t.status = 'ready';
    t.resumeWith = value;
  }

  #wake(rec: WaitRecord, outcome: 'ok' | 'timed-out'): void {
    this.#waiters.splice(this.#waiters.indexOf(rec), 1);
    if (rec.thread) this.#ready(rec.thread, outcome);
    else rec.promise?.resolve(rec.cancelled && outcome !== 'ok' ? 'cancelled' : outcome);
  }
}
