// Many waits on one AbortSignal through a single 'abort' listener. A signal shared by many tasks
// (one per `pool.map` item, or one user signal passed to every `run()`) would otherwise get one
// listener each: past 10, Node prints MaxListenersExceededWarning, and a listener left behind by
// a settled wait would pile up on a long-lived signal. Here each signal has at most one listener,
// present only while some wait is registered; it calls the registered callbacks once, on abort.

interface Registration {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

/** The registered callbacks of each signal that has any. */
const registrations = new WeakMap<AbortSignal, Registration>();

/**
 * Calls `callback` once when `signal` aborts (the caller checks `signal.aborted` first: nothing is
 * called for a signal that already aborted). Returns the function that unregisters it; calling it
 * again, or after the abort, does nothing. The signal's one listener goes with its last callback.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let reg = registrations.get(signal);
  if (reg === undefined) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      registrations.delete(signal);
      // A snapshot: callbacks unregister themselves (their task settles) while this runs.
      let failure: { error: unknown } | undefined;
      for (const fn of [...callbacks]) {
        try {
          fn();
        } catch (error) {
          failure ??= { error };
        }
      }
      callbacks.clear();
      if (failure) throw failure.error;
    };
    reg = { callbacks, listener };
    registrations.set(signal, reg);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks } = reg;
  // Each registration gets its own function, so the same callback may be registered twice.
  const entry = () => callback();
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    const current = registrations.get(signal);
    if (current?.callbacks !== callbacks) return; // aborted meanwhile: its listener is gone
    registrations.delete(signal);
    signal.removeEventListener('abort', current.listener);
  };
}

/**
 * A signal of its own for one wait, aborted (with the same reason) when `signal` aborts, through the
 * one shared listener: for code that must add a listener of its own (raw-mutex's wait loop, which the
 * model checker compiles alone). Call `done` once the wait is over. An absent or already aborted
 * `signal` is returned as it is.
 */
export function linkedSignal(signal: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  done: () => void;
} {
  if (signal === undefined || signal.aborted) return { signal, done: () => {} };
  const own = new AbortController();
  const done = onAbort(signal, () => own.abort(signal.reason));
  return { signal: own.signal, done };
}
