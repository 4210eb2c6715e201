// The process-wide shared memory that every threadkit worker receives in its workerData and adopts
// before any user code runs, so that the whole tree of threads shares it: the registry of dead threads
// (locks held by a dead thread can be taken over), the counters of default names, and the program's
// main file (main-guard.ts).
import { adoptDeadThreads, deadThreadsBuffer } from '../internal/dead-threads.js';
import { adoptMainEntry, mainEntry } from './main-guard.js';
import { adoptNames, namesBuffer } from './names.js';
import type { ProcessShared } from './protocol.js';

/** This thread's process-wide memory, to put in a new worker's workerData. */
export function processShared(): ProcessShared {
  return { deadThreads: deadThreadsBuffer(), names: namesBuffer(), mainEntry: mainEntry() };
}

/** In a new threadkit worker, before anything else: share the memory its creator passed. */
export function adoptProcessShared(data: ProcessShared): void {
  adoptDeadThreads(data.deadThreads);
  adoptNames(data.names);
  adoptMainEntry(data.mainEntry);
}
