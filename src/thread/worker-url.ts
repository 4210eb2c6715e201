// Where the worker bootstrap lives: next to this module's built file (dist/thread-worker.js beside
// the ESM chunks, .cjs beside the CommonJS ones), or the TypeScript source when run from src/.
const here = import.meta.url;
const ext = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js';

/** URL of the worker bootstrap file matching the running build. */
export const WORKER_URL: URL = new URL(`./thread-worker${ext}`, here);
