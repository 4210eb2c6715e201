// The `multithreading` npm package, the peer issue 5 names: its Semaphore, Barrier and RwLock run in
// the same cases as threadkit's. It is an optional dev dependency, loaded by name at run time; when it
// is missing or does not load (0.3.x reads the global `navigator`, which Node has only from 21 on),
// the suite reports its comparisons as skipped with the reason instead of leaving them out.

/** The part of its API the bodies use. Each primitive takes a whole SharedArrayBuffer, from index 0. */
export interface Multithreading {
  Semaphore: new (
    initialCount: number,
    buffer?: SharedArrayBuffer,
  ) => {
    blockingAcquire(): { dispose(): void };
  };
  Barrier: new (n: number | undefined, buffer?: SharedArrayBuffer) => { blockingWait(): unknown };
  RwLock: new (
    data: undefined,
    buffer?: SharedArrayBuffer,
  ) => {
    blockingRead(): { dispose(): void };
    blockingWrite(): { dispose(): void };
  };
}

export const PACKAGE = 'multithreading';
/** The version the suite was written against. */
export const VERSION = '0.3.52';

/** The package, or why it cannot be measured here. */
export async function loadMultithreading(): Promise<
  { readonly mt: Multithreading } | { readonly skipped: string }
> {
  const name: string = PACKAGE; // a variable: the package is optional, so no static import
  try {
    return { mt: (await import(name)) as Multithreading };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(`'${PACKAGE}'`)) {
      return { skipped: `${PACKAGE} is not installed (devDependency ${PACKAGE}@${VERSION})` };
    }
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { skipped: `${PACKAGE} does not load on Node ${process.versions.node} (${reason})` };
  }
}

/** Opens the package in a worker body, where it must load (the suite checked first). */
export async function requireMultithreading(): Promise<Multithreading> {
  const r = await loadMultithreading();
  if ('skipped' in r) throw new Error(r.skipped);
  return r.mt;
}
