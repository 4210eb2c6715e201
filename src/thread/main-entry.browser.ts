// Browser build of main-entry.ts: a page has no main program file that a worker could import by
// mistake as a thread's module, so threads there are never refused for it.

/** Always undefined in a browser. */
export function mainEntryPath(): string | undefined {
  return undefined;
}
