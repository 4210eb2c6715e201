// Runs the smoke tests under Node, Bun or Deno: `bun test/runtimes/smoke/run.mjs`,
// `deno run -A test/runtimes/smoke/run.mjs`. Prints one line per test, then a line
// `THREADKIT_SMOKE_RESULT <json>` for scripts/test-runtimes.mjs; exits 1 if any test failed.
import { runSmoke } from './harness.mjs';
import * as mutex from './mutex.mjs';
import * as thread from './thread.mjs';
import * as threadlocal from './threadlocal.mjs';

const env = { browserMain: false, asyncContext: true };
const result = await runSmoke({ mutex, thread, threadlocal }, env);
console.log(`THREADKIT_SMOKE_RESULT ${JSON.stringify(result)}`);
// Exit explicitly: a runtime whose workers or timers linger must not hang the matrix run.
process.exit(result.failed === 0 ? 0 : 1);
