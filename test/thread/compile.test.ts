// Shipped source's dynamic `import(...)` calls are pointed at an importer that resolves from the
// caller's file (src/thread/rewrite-imports.ts, used by compile.ts); nothing else in the source may
// change. Unit tests of the scanner, then the cases that a user hits, through real threads.
import { describe, expect, it } from 'vitest';
import { spawn } from 'threadkit/thread';
import { rewriteDynamicImports } from '../../src/thread/rewrite-imports.js';
import { runFixture, watchdog } from './helpers.js';

const rewrite = (code: string): string => rewriteDynamicImports(code, 'IMP');

describe('rewriteDynamicImports', () => {
  it('rewrites real dynamic imports, vitest’s included', () => {
    expect(rewrite(`async () => await import('node:path')`)).toBe(`async () => await IMP('node:path')`);
    expect(rewrite(`() => import /* c */ ('a')`)).toBe(`() => IMP /* c */ ('a')`);
    expect(rewrite(`() => __vite_ssr_dynamic_import__("a")`)).toBe(`() => IMP("a")`);
    expect(rewrite(`() => import(import('a'))`)).toBe(`() => IMP(IMP('a'))`);
    expect(rewrite(`() => [...import('a'), 1 ? import('b') : 0]`)).toBe(
      `() => [...IMP('a'), 1 ? IMP('b') : 0]`,
    );
  });

  it('leaves strings and template text alone', () => {
    for (const code of [
      `() => 'call import(x) later'`,
      `() => "import(x)"`,
      `() => 'it\\'s import(x)'`,
      `() => \`import(x) \\\` import(y)\``,
    ]) {
      expect(rewrite(code)).toBe(code);
    }
  });

  it('rewrites inside template expressions, nested ones included, and not the text around them', () => {
    expect(rewrite('async () => `import(a) ${await import(`b`)} import(c)`')).toBe(
      'async () => `import(a) ${await IMP(`b`)} import(c)`',
    );
    expect(rewrite('() => `${`x ${import("y")} import(z)`} ${{ a: 1 }.a} import(w)`')).toBe(
      '() => `${`x ${IMP("y")} import(z)`} ${{ a: 1 }.a} import(w)`',
    );
  });

  it('leaves comments alone', () => {
    const code = `() => {\n  // import(x)\n  /* import(y) */ return 1; // import(\n}`;
    expect(rewrite(code)).toBe(code);
  });

  it('leaves regex literals alone, and still tells division apart', () => {
    for (const code of [
      `(s) => /import(x)/.test(s)`,
      `(s) => { return /[/]import\\(/.test(s); }`,
      `(s) => s.split(/'/).map((p) => p + "import(")`,
    ]) {
      expect(rewrite(code)).toBe(code);
    }
    expect(rewrite(`(a) => [a / 2, (a) / import('x') / 3]`)).toBe(`(a) => [a / 2, (a) / IMP('x') / 3]`);
  });

  it('leaves members, methods and keys named import alone', () => {
    for (const code of [
      `(x) => x.import(1)`,
      `(x) => x?.import(1)`,
      `(x) => x . import (1)`,
      `() => ({ import(x) { return x; } }).import(1)`,
      `() => ({ async import() {}, get import() { return 1; }, *import() {} })`,
      `() => class { static import(x) { return x; } #import() {} y() { return this.#import(); } }`,
      `() => ({ import: 1, 'import': 2 }).import`,
      `() => import.meta.url`,
      `import(x) { return x; }`, // a method shipped as the target itself
    ]) {
      expect(rewrite(code)).toBe(code);
    }
  });
});

describe('import() in shipped functions', () => {
  it('does not change string literals', async () => {
    expect(await watchdog(spawn(() => 'call import(x) later').join())).toBe('call import(x) later');
    expect(await watchdog(spawn(() => `template import(x)`).join())).toBe('template import(x)');
  });

  it('does not rewrite methods, properties or member calls named import', async () => {
    const method = spawn(() => ({ import: (x: number) => x, m: { import: (x: number) => x } }).import(1));
    expect(await watchdog(method.join())).toBe(1);
    const shorthand = spawn(() =>
      ({
        import(x: number) {
          return x + 1;
        },
      }).import(1),
    );
    expect(await watchdog(shorthand.join())).toBe(2);
  });

  it('still runs real import(), also inside template expressions', async () => {
    const { sep } = await import('node:path');
    const t = spawn(async () => `sep ${(await import('node:path')).sep} import(x)`);
    expect(await watchdog(t.join())).toBe(`sep ${sep} import(x)`);
  });
});

describe('a function whose source does not compile outside its file', () => {
  it('that uses import.meta: says a thread function has none, and to pass what it needs in args', async () => {
    const { stdout, code } = await runFixture('import-meta.mjs');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(
      'TypeError: Expected `target` to be a function whose source compiles on its own, got one that uses ' +
        '`import.meta`: a thread function is compiled in the thread as a plain function, not as part of ' +
        'a module, so it has no `import.meta`. Pass what it needs in `args` (`import.meta.url`, or a ' +
        "path made from it); `await import('./x.js')` inside the function already resolves relative to this file",
    );
  });

  it('for any other reason: the message gives the SyntaxError', () => {
    class Account {
      #balance = 1;
      balance(): number {
        return this.#balance;
      }
    }
    // eslint-disable-next-line @typescript-eslint/unbound-method -- shipping the method alone is the point
    const method = new Account().balance; // `balance() { return this.#balance; }` alone is no function
    expect(() => spawn(method)).toThrow(
      /^Expected `target` to be a function whose source compiles on its own \(Private field '#balance' must be declared in an enclosing class\), got: balance\(\)/,
    );
  });
});
