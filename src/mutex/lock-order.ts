// Lock-order diagnostics for Mutex (on with `setDiagnostics({ lockOrder: true })`, see
// src/internal/diagnostics.ts): every acquisition of B while holding A records the edge A → B in this
// thread's lock-order graph; acquiring A while holding B after that (an inversion, the classic two-lock
// deadlock) throws LockOrderError before it can block. Like Linux's lockdep, it finds the inversion the
// first time both orders are used, even when the timing happens not to deadlock. The graph lives in the
// thread's diagnostics state, so both builds of the package (ESM, CommonJS) feed one graph.
import { LockOrderError } from '../errors.js';
import { diagnostics, type Lockable } from '../internal/diagnostics.js';

function keyOf(lock: Lockable): string {
  const ids = diagnostics.bufferIds;
  let id = ids.get(lock.buffer);
  if (id === undefined) ids.set(lock.buffer, (id = ++diagnostics.nextBufferId));
  return `${id}:${lock.byteOffset}`;
}

/** Before acquiring `lock`: throws LockOrderError if some held lock was ever acquired after it. */
export function checkOrder(lock: Lockable): void {
  const { held, after } = diagnostics;
  const key = keyOf(lock);
  if (held.includes(key)) return; // reentrant relock
  const later = after.get(key);
  const inverted = later && held.find((h) => later.has(h));
  if (inverted) {
    throw new LockOrderError(
      `Lock-order inversion: acquiring lock ${key} while holding ${inverted}, but ${inverted} was acquired while holding ${key} before; two threads doing both can deadlock`,
    );
  }
}

/** After acquiring `lock`: records the order edges. */
export function noteAcquired(lock: Lockable): void {
  const { held, after } = diagnostics;
  const key = keyOf(lock);
  if (held.includes(key)) return;
  for (const h of held) {
    let set = after.get(h);
    if (!set) after.set(h, (set = new Set()));
    set.add(key);
  }
  held.push(key);
}

/** After releasing `lock` (its last level). */
export function noteReleased(lock: Lockable): void {
  const { held } = diagnostics;
  const i = held.lastIndexOf(keyOf(lock));
  if (i >= 0) held.splice(i, 1);
}
