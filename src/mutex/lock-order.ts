// Lock-order diagnostics for Mutex (on with `setDiagnostics({ lockOrder: true })`, see
// src/internal/diagnostics.ts): every acquisition of B while holding A records the edge A → B in this
// thread's lock-order graph; acquiring A while holding B after that (an inversion, the classic two-lock
// deadlock) throws LockOrderError before it can block. Like Linux's lockdep, it finds the inversion the
// first time both orders are used, even when the timing happens not to deadlock. The graph lives in the
// thread's diagnostics state, so both builds of the package (ESM, CommonJS) feed one graph.
import { LockOrderError } from '../errors.js';
import { diagnostics, type HeldLock, type OrderedLock } from '../internal/diagnostics.js';

function keyOf(lock: OrderedLock): string {
  const ids = diagnostics.bufferIds;
  let id = ids.get(lock.buffer);
  if (id === undefined) ids.set(lock.buffer, (id = ++diagnostics.nextBufferId));
  return `${id}:${lock.byteOffset}`;
}

/**
 * The locks this thread holds, in the order it took them. unlock() does not report releases (its fast
 * path stays a single compareExchange), so the entries of locks released since are dropped here; a
 * lock counts as held while its word names this thread, whichever Mutex object released it.
 */
function stillHeld(): HeldLock[] {
  const { held } = diagnostics;
  let kept = 0;
  for (const h of held) if (h.lock.isHeldByCurrentThread) held[kept++] = h;
  held.length = kept;
  return held;
}

/**
 * How a message names the lock of `key`: by its byteOffset, which the user can match against
 * `mutex.byteOffset`, and its buffer's number in this thread (the keys' `id:byteOffset`).
 */
function described(key: string): string {
  const [id, byteOffset] = key.split(':');
  return `the Mutex at byteOffset ${byteOffset} of buffer #${id}`;
}

/** Before acquiring `lock`: throws LockOrderError if some held lock was ever acquired after it. */
export function checkOrder(lock: OrderedLock): void {
  const held = stillHeld();
  const key = keyOf(lock);
  if (held.some((h) => h.key === key)) return; // reentrant relock
  const later = diagnostics.after.get(key);
  const inverted = later && held.find((h) => later.has(h.key));
  if (inverted) {
    throw new LockOrderError(
      `Lock-order inversion: acquiring ${described(key)} while holding ${described(inverted.key)}, ` +
        'but this thread acquired them the other way round before; two threads doing both can deadlock ' +
        '(buffers are numbered in the order this thread first locked a Mutex in them)',
    );
  }
}

/** After acquiring `lock`: records the order edges. */
export function noteAcquired(lock: OrderedLock): void {
  const held = stillHeld();
  const key = keyOf(lock);
  if (held.some((h) => h.key === key)) return; // reentrant relock
  for (const h of held) {
    let set = diagnostics.after.get(h.key);
    if (!set) diagnostics.after.set(h.key, (set = new Set()));
    set.add(key);
  }
  held.push({ key, lock });
}
