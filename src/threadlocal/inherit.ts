// Internal bridge between thread-locals and the thread module (not part of the public API).
// `threadkit/thread` calls these; `threadkit/threadlocal` owns their behaviour.
//
//   creating thread                           new thread (worker)
//   captureInheritable()  ── snapshot ──▶     runIsolatedWith(snapshot, target)
//   (clones every set inheritable value)      (fresh context seeded with the snapshot)
import {
  box,
  currentSlots,
  hasNamedSlots,
  namedSlot,
  namedSlotEntries,
  runWithSlots,
  unbox,
} from './slots.js';

/** Values of inheritable thread-locals, keyed by local name; structured-cloneable. */
export type InheritedLocals = Record<string, unknown>;

/**
 * Called on the creating thread when a Thread is created or a pool task is submitted: a snapshot of
 * every inheritable thread-local's current value, or undefined if there are none. Throws a TypeError
 * naming the local if a value is not structured-cloneable.
 *
 * Only values set in the current context are captured; a local without one is not (the new thread
 * runs its own `initial()`). Values are structured-cloned here, so the snapshot is the value at
 * submission time even if the task is posted later, and a value that cannot be cloned fails at
 * submission rather than in the worker.
 */
export function captureInheritable(): InheritedLocals | undefined {
  if (!hasNamedSlots()) return undefined;
  const slots = currentSlots();
  let snapshot: InheritedLocals | undefined;
  for (const [name, slot] of namedSlotEntries()) {
    const stored = slots[slot];
    if (stored === undefined) continue;
    let copy: unknown;
    try {
      copy = structuredClone(unbox(stored));
    } catch (error) {
      throw new TypeError(
        `Cannot pass inheritable thread-local "${name}" to a new Thread or ThreadPool task: its value cannot be ` +
          `structured-cloned (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    snapshot ??= Object.create(null) as InheritedLocals;
    snapshot[name] = copy;
  }
  return snapshot;
}

/**
 * Called in the worker for a Thread's target and for every pool task: runs `fn` in a fresh, isolated
 * thread-local context (nothing leaks in from earlier tasks, nothing leaks out), seeded with `inherited`.
 *
 * The context starts empty, not from the worker's root values, and holds for `fn` and all async work
 * it starts. Inherited names that no local uses yet get their slot now, so a
 * `new ThreadLocal({ inheritable: true, name })` created later by the task starts with the value.
 */
export function runIsolatedWith<R>(inherited: InheritedLocals | undefined, fn: () => R): R {
  const slots: unknown[] = [];
  if (inherited !== undefined) {
    for (const name of Object.keys(inherited)) slots[namedSlot(name)] = box(inherited[name]);
  }
  return runWithSlots(slots, fn);
}
