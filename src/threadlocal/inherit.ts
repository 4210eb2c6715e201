// Internal bridge between thread-locals and the thread module (not part of the public API).
// `threadkit/thread` calls these; `threadkit/threadlocal` owns their behaviour.

/** Values of inheritable thread-locals, keyed by local name; structured-cloneable. */
export type InheritedLocals = Record<string, unknown>;

/**
 * Called on the creating thread when a Thread is created or a pool task is submitted: a snapshot of
 * every inheritable thread-local's current value, or undefined if there are none. Throws a TypeError
 * naming the local if a value is not structured-cloneable.
 */
export function captureInheritable(): InheritedLocals | undefined {
  return undefined;
}

/**
 * Called in the worker for a Thread's target and for every pool task: runs `fn` in a fresh, isolated
 * thread-local context (nothing leaks in from earlier tasks, nothing leaks out), seeded with `inherited`.
 */
export function runIsolatedWith<R>(inherited: InheritedLocals | undefined, fn: () => R): R {
  void inherited;
  return fn();
}
