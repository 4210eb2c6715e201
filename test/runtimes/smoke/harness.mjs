// A tiny test harness for the runtime smoke tests: the same files run under Bun, Deno, Node and in a
// browser page, where vitest does not. Each smoke module exports `tests`: [name, fn(env)] pairs.
// `env.browserMain` is true on a browser's main thread (blocking calls must throw there).

/** Per-test watchdog: a hang (a lost wake-up) fails the test instead of the whole run. */
const TEST_TIMEOUT_MS = 15_000;

/** Throws with `message` unless `cond` holds. */
export function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, name) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not finish within ${TEST_TIMEOUT_MS} ms`)),
      TEST_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Runs every test of every module, one after another, and returns
 * `{ passed, failed, tests: [{ module, name, ok, ms, error? }] }`.
 */
export async function runSmoke(modules, env, log = console.log) {
  const tests = [];
  for (const [moduleName, mod] of Object.entries(modules)) {
    for (const [name, fn] of mod.tests) {
      const start = performance.now();
      try {
        await withTimeout(
          Promise.resolve().then(() => fn(env)),
          name,
        );
        tests.push({ module: moduleName, name, ok: true, ms: Math.round(performance.now() - start) });
        log(`  ok    ${moduleName}: ${name}`);
      } catch (err) {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        tests.push({ module: moduleName, name, ok: false, ms: Math.round(performance.now() - start), error });
        log(`  FAIL  ${moduleName}: ${name}\n        ${error}`);
      }
    }
  }
  const failed = tests.filter((t) => !t.ok).length;
  return { passed: tests.length - failed, failed, tests };
}
