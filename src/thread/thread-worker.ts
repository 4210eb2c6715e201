// Worker bootstrap of Thread and ThreadPool, built as its own entry (dist/thread-worker.js / .cjs):
// what it runs is worker-run.ts. Every primitive and module loading are loaded with it, so that any
// target can load modules and get primitives in its args. A Thread whose target needs neither starts
// from the leaner standalone-worker.ts instead (see worker-url.ts).
import { enableModuleLoading } from './compile.js';
import { moduleLoading } from './module-loading.js';
import { shareableTypes } from './shareables.js';
import { runWorker } from './worker-run.js';

/**
 * Shareable primitives register with the codec when their module loads; load each here (see
 * shareables.ts) so that one arriving in args is revived live. Only the primitives are loaded, not the
 * whole package, which would make every worker start measurably slower.
 */
export const shareable = shareableTypes;

enableModuleLoading(moduleLoading);
runWorker();
