// The control block shared by the main thread and the benchmark workers of one run (Int32 slots).
// The main thread owns START and STOP; workers only read them, and only bump READY.

/** Workers that finished setup and are waiting at the start barrier. */
export const READY = 0;
/** 0 until the main thread releases the start barrier, then 1 (workers Atomics.wait on 0). */
export const START = 1;
/** 0 while the run lasts; 1 once the duration is over (workers poll it between batches). */
export const STOP = 2;
/** Int32 slots of the control block. */
export const CONTROL_SLOTS = 3;

/** Data every worker receives as `workerData`. */
export interface WorkerInit {
  /** URL of the body module (its default export is a `WorkerBodyFactory`). */
  readonly body: string;
  readonly index: number;
  readonly workers: number;
  /** Operations between two looks at STOP. */
  readonly batch: number;
  readonly control: SharedArrayBuffer;
  readonly shared: SharedArrayBuffer;
  readonly params: Readonly<Record<string, number | string>>;
}

/** What a worker posts back when it has stopped. */
export interface WorkerReport {
  readonly index: number;
  readonly ops: number;
  /** Wall-clock (epoch) milliseconds when the worker passed the start barrier and when it saw STOP. */
  readonly startedAt: number;
  readonly stoppedAt: number;
  /** Extra per-worker numbers from the body, e.g. { maxWaitMs: 0.3 }. */
  readonly stats: Readonly<Record<string, number>>;
}
