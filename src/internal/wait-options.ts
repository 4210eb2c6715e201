import { checkOptions, checkSignal, checkTimeout, type OptionKeys } from './validate.js';

/**
 * Options of the asynchronous waits of {@link Event}, {@link CountDownLatch}, {@link Condition} and
 * {@link Barrier}.
 */
export interface WaitAsyncOptions {
  /** Abort the wait; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Give up after this many milliseconds; the promise rejects with a {@link TimeoutError}.
   * @default Infinity
   */
  readonly timeoutMs?: number | undefined;
}

const WAIT_ASYNC_KEYS: OptionKeys<WaitAsyncOptions> = { signal: true, timeoutMs: true };

/**
 * Validates {@link WaitAsyncOptions} of `where` (`'Event.waitAsync()'`, for messages); throws the
 * signal's reason at once if it is already aborted.
 */
export function checkWaitAsyncOptions(
  options: unknown,
  where: string,
): {
  signal: AbortSignal | undefined;
  timeoutMs: number;
} {
  const opts = checkOptions<WaitAsyncOptions>(options, WAIT_ASYNC_KEYS, where);
  const signal = checkSignal(opts.signal);
  const timeoutMs = checkTimeout(opts.timeoutMs);
  if (signal?.aborted) throw signal.reason;
  return { signal, timeoutMs };
}
