// Which compiler helpers a thread function is given (src/thread/compiler-helpers.ts), and the interop
// helpers that the compiled programs of compiled.test.ts do not reach.
import { describe, expect, it } from 'vitest';
import { explainError } from '../../src/thread/compile.js';
import { HELPERS, helpersUsedBy } from '../../src/thread/compiler-helpers.js';
import { requireFrom } from '../../src/thread/resolve.browser.js';

const names = (code: string) => [...helpersUsedBy(code).keys()];

describe('helpersUsedBy', () => {
  it('finds helpers called as free names, and nothing in a function that calls none', () => {
    expect(names('(m) => { const env_1 = {}; __addDisposableResource(env_1, m, false); }')).toEqual([
      '__addDisposableResource',
    ]);
    expect(
      names('() => __awaiter(void 0, void 0, void 0, function* () { __rest(a, []); __rest(b, []); })'),
    ).toEqual(['__awaiter', '__rest']);
    expect(names('() => require("node:os")')).toEqual(['require']);
    expect(names('(n) => n * 2')).toEqual([]);
  });

  it('skips properties and longer names', () => {
    expect(names('(x) => x.__rest(1) + x.require("a") + my__name + __names + require_')).toEqual([]);
  });

  it("finds the binding through which Oxc's usingCtx is called, vitest's rewrite included", () => {
    const vitest = helpersUsedBy(
      '() => { try { var _usingCtx = (0,__vite_ssr_import_1__.default)(); } finally {} }',
    );
    expect([...vitest.keys()]).toEqual(['__vite_ssr_import_1__']);
    expect(typeof (vitest.get('__vite_ssr_import_1__') as { default: unknown }).default).toBe('function');
    const plain = helpersUsedBy('() => { try { var _usingCtx3 = _usingCtx2(); } finally {} }');
    expect(typeof plain.get('_usingCtx2')).toBe('function');
  });
});

describe('module interop helpers (esModuleInterop)', () => {
  const importStar = HELPERS.__importStar as (mod: unknown) => Record<string, unknown>;
  const importDefault = HELPERS.__importDefault as (mod: unknown) => Record<string, unknown>;

  it('__importStar: a namespace whose default is the module and whose names read it live', () => {
    const mod: Record<string, unknown> = { a: 1, default: 'ignored' };
    const ns = importStar(mod);
    expect(ns.default).toBe(mod);
    expect(ns.a).toBe(1);
    mod.a = 2;
    expect(ns.a).toBe(2);
    const esm = { __esModule: true, default: 3 };
    expect(importStar(esm)).toBe(esm);
  });

  it('__importDefault: { default: module } unless it is marked __esModule', () => {
    const fn = () => 1;
    expect(importDefault(fn)).toEqual({ default: fn });
    const esm = { __esModule: true, default: 3 };
    expect(importDefault(esm)).toBe(esm);
  });
});

describe('require where the runtime has none', () => {
  it('the browser build gives none, and the error says so', () => {
    expect(requireFrom('https://example.com/app.js')).toBeUndefined();
    // As thrown by shipped source (compile.ts tags its frames with a sourceURL).
    const err = new ReferenceError('require is not defined');
    err.stack = `ReferenceError: require is not defined\n    at eval (threadkit-thread-fn-1.js:1:7)`;
    expect((explainError(err) as Error).message).toMatch(
      /^`require` is not defined in the thread function: this runtime has no CommonJS `require` \(browsers\)\. Load modules with `await import\(\)`/,
    );
  });
});
