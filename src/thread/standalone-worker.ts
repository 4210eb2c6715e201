// Worker bootstrap of a standalone Thread: a function target that loads no module and gets nothing in
// its args that the codec revives (see worker-url.ts). It runs what thread-worker.ts runs, without the
// primitives and module loading that such a target never needs, built into one file
// (dist/standalone/thread-worker.cjs: see tsup.config.ts).
import { runWorker } from './worker-run.js';

runWorker();
