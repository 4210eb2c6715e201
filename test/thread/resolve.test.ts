// `import()` inside a thread function resolves as in the file that created the thread (DESIGN.md):
// ESM resolution ("import" conditions, "exports"/"imports", self-reference, real paths), also where
// threadkit is installed as a symlink into a store, as pnpm does. A script in a temporary app folder
// imports each fixture package plainly, in a Thread and in a ThreadPool task; all three must agree.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Thread, ThreadPool } from 'threadkit/thread';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROBES = ['resolve-probe.mjs', 'resolve-probe.cjs'];

/** An ES module file that reports which file it is. */
const esm = (v: string) => `export const v = ${JSON.stringify(v)};\nexport const url = import.meta.url;\n`;
/** The same as a CommonJS module. */
const cjs = (v: string) =>
  `exports.v = ${JSON.stringify(v)};\nexports.url = require('node:url').pathToFileURL(__filename).href;\n`;

/** Writes a package: package.json from `config` and the files given (path → contents). */
function writePackage(dir: string, config: object, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(config));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
}

let root = '';
let app = '';

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'threadkit-resolve-')));
  app = join(root, 'app');
  const modules = join(app, 'node_modules');
  // pnpm's layout: app/node_modules/threadkit -> store/node_modules/threadkit -> the built package.
  mkdirSync(join(root, 'store/node_modules'), { recursive: true });
  mkdirSync(modules, { recursive: true });
  symlinkSync(REPO, join(root, 'store/node_modules/threadkit'), 'junction');
  symlinkSync(join(root, 'store/node_modules/threadkit'), join(modules, 'threadkit'), 'junction');

  writePackage(
    app,
    {
      name: 'app',
      type: 'module',
      exports: { '.': './self.js' },
      imports: {
        '#internal': { node: { import: './internal.js' }, default: './internal.cjs' },
        '#dep': 'dualpkg',
        '#lib/*': './lib/*.js',
      },
    },
    {
      'self.js': esm('app self'),
      'internal.js': esm('#internal esm'),
      'internal.cjs': cjs('#internal cjs'),
      'lib/a.js': esm('#lib/a'),
    },
  );
  for (const probe of PROBES) {
    copyFileSync(fileURLToPath(new URL(`../fixtures/thread/${probe}`, import.meta.url)), join(app, probe));
  }
  writePackage(
    join(modules, 'esmonly'),
    { name: 'esmonly', type: 'module', exports: { '.': { import: './index.js' } } },
    { 'index.js': esm('esmonly') },
  );
  writePackage(
    join(modules, 'dualpkg'),
    { name: 'dualpkg', exports: { import: './index.mjs', require: './index.cjs' } },
    { 'index.mjs': esm('dual esm'), 'index.cjs': cjs('dual cjs') },
  );
  writePackage(
    join(modules, 'nested'),
    {
      name: 'nested',
      exports: {
        '.': {
          browser: './browser.mjs',
          node: { require: './node.cjs', import: { types: './x.d.ts', default: './node.mjs' } },
          default: './default.mjs',
        },
        './feature': [{ worker: './worker.mjs' }, './feature.mjs'],
      },
    },
    {
      'browser.mjs': esm('nested browser'),
      'node.cjs': cjs('nested node require'),
      'node.mjs': esm('nested node import'),
      'default.mjs': esm('nested default'),
      'worker.mjs': esm('nested worker'),
      'feature.mjs': esm('nested feature'),
    },
  );
  writePackage(
    join(modules, 'patterns'),
    {
      name: 'patterns',
      exports: {
        './utils/*': { require: './cjs/utils/*.cjs', default: './lib/utils/*.mjs' },
        './utils/private/*': null,
        './*.js': './js/*.js',
      },
    },
    {
      'lib/utils/a.mjs': esm('patterns utils/a'),
      'cjs/utils/a.cjs': cjs('patterns utils/a cjs'),
      'lib/utils/private/x.mjs': esm('patterns private'),
      'js/deep/b.js': cjs('patterns deep/b'),
    },
  );
  writePackage(
    join(modules, '@scope/pkg'),
    {
      name: '@scope/pkg',
      exports: { '.': './main.mjs', './sub': { import: './sub.mjs', require: './sub.cjs' } },
    },
    {
      'main.mjs': esm('@scope/pkg'),
      'sub.mjs': esm('@scope/pkg/sub esm'),
      'sub.cjs': cjs('@scope/pkg/sub cjs'),
    },
  );
  writePackage(
    join(modules, 'legacy'),
    { name: 'legacy', main: 'lib/entry' },
    { 'lib/entry.js': cjs('legacy main'), 'lib/other.js': cjs('legacy other') },
  );
  writePackage(
    join(modules, 'modsync'),
    {
      name: 'modsync',
      exports: { 'module-sync': './sync.mjs', import: './import.mjs', require: './require.cjs' },
    },
    {
      'sync.mjs': esm('modsync sync'),
      'import.mjs': esm('modsync import'),
      'require.cjs': cjs('modsync cjs'),
    },
  );
  // A package linked in from elsewhere: modules load from their real path.
  writePackage(
    join(root, 'shared/linked'),
    { name: 'linked', type: 'module', main: 'index.js' },
    {
      'index.js': esm('linked'),
    },
  );
  symlinkSync(join(root, 'shared/linked'), join(modules, 'linked'), 'junction');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Probed {
  v?: string;
  url?: string;
  code?: string;
  message?: string;
}

/**
 * Runs a probe script in the app folder: what each specifier gave plainly, in a Thread, in a pool.
 * The ESM probe runs on threadkit's ESM build, the CommonJS one on its CommonJS build.
 */
function probe(
  script: string,
  specs: string[],
): Promise<{ plain: Probed[]; thread: Probed[]; pooled: Probed[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(app, script), ...specs],
      { cwd: app, timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${script} failed: ${stderr}`, { cause: err }));
        else resolve(JSON.parse(stdout) as { plain: Probed[]; thread: Probed[]; pooled: Probed[] });
      },
    );
  });
}

describe('import() in a thread function', () => {
  it.each(PROBES)('resolves bare names as import() in the creating file does (%s)', async (script) => {
    const specs = [
      'esmonly',
      'dualpkg',
      'nested',
      'nested/feature',
      'patterns/utils/a',
      'patterns/deep/b.js',
      '@scope/pkg',
      '@scope/pkg/sub',
      'legacy',
      'legacy/lib/other.js',
      'modsync',
      'linked',
      'app',
      '#internal',
      '#dep',
      '#lib/a',
    ];
    const { plain, thread, pooled } = await probe(script, specs);
    // The fixtures are what the test thinks they are: import's choices, each module found.
    expect(plain.map((p) => p.v)).toEqual([
      'esmonly',
      'dual esm',
      'nested node import',
      'nested feature',
      'patterns utils/a',
      'patterns deep/b',
      '@scope/pkg',
      '@scope/pkg/sub esm',
      'legacy main',
      'legacy other',
      process.features.require_module ? 'modsync sync' : 'modsync import',
      'linked',
      'app self',
      '#internal esm',
      'dual esm',
      '#lib/a',
    ]);
    expect(plain[11]?.url).toBe(pathToFileURL(join(root, 'shared/linked/index.js')).href);
    expect(thread).toEqual(plain);
    expect(pooled).toEqual(plain);
  });

  it.each(PROBES)('fails as import() in the creating file does, naming that file (%s)', async (script) => {
    const { plain, thread, pooled } = await probe(script, [
      'nopkg',
      'patterns/utils/private/x',
      '#nothing',
      './nothing-here.mjs',
    ]);
    expect(plain.map((p) => p.code)).toEqual([
      'ERR_MODULE_NOT_FOUND',
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'ERR_PACKAGE_IMPORT_NOT_DEFINED',
      'ERR_MODULE_NOT_FOUND',
    ]);
    for (const p of plain) expect(p.message).toContain(join(app, script));
    expect(thread).toEqual(plain);
    expect(pooled).toEqual(plain);
  });
});

describe('a module target that does not load', () => {
  const here = fileURLToPath(import.meta.url);

  it('a relative path that names no file: the error names the creating file', async () => {
    const error = (await new Thread('./no-such-module.mjs')
      .start()
      .join()
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(error.message).toBe(
      `Cannot find module '${join(dirname(here), 'no-such-module.mjs')}' imported from ${here}`,
    );
    expect(error.stack).toContain(`imported from ${here}`);
  });

  it('a path written without ./ is a package name, as in import(); a file of that name gets a hint', async () => {
    const joined = (target: string) =>
      new Thread(target)
        .start()
        .join()
        .catch((e: unknown) => e) as Promise<Error & { code?: string }>;
    // helpers.ts sits next to this file: './helpers.ts' would find it.
    const near = await joined('helpers.ts');
    expect(near.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(near.message).toBe(
      `Cannot find package 'helpers.ts' imported from ${here}; did you mean './helpers.ts'? ` +
        'A module path is resolved as `import()` resolves it: relative to the file that created the ' +
        'thread only when it starts with ./ or ../, else as a package',
    );
    const nowhere = await joined('no-such-dir/w.mjs');
    expect(nowhere.message).toBe(`Cannot find package 'no-such-dir' imported from ${here}`);
  });

  it('a module whose own import fails: the error still names that module', async () => {
    const broken = join(root, 'broken.mjs');
    writeFileSync(broken, "import './missing-dep.mjs';\nexport default () => 1;\n");
    const error = (await new Thread(pathToFileURL(broken))
      .start()
      .join()
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `Cannot find module '${join(root, 'missing-dep.mjs')}' imported from ${broken}`,
    );
  });

  it("a module in threadkit's own folder (an app that bundles it) whose own import fails: the error still names that module", async () => {
    // An app that bundles threadkit puts its own modules beside threadkit's files. Any file in that
    // folder used to count as threadkit's own, so the error named the file that created the thread.
    const dist = dirname(createRequire(import.meta.url).resolve('threadkit/thread'));
    const broken = join(dist, `app-module-${process.pid}.mjs`);
    writeFileSync(broken, "import './app-missing-dep.mjs';\nexport default () => 1;\n");
    const expected = `Cannot find module '${join(dist, 'app-missing-dep.mjs')}' imported from ${broken}`;
    const load = async (file: string) => {
      await import(file);
    };
    await using pool = new ThreadPool({ size: 1 });
    try {
      const threadError = (await new Thread(load, { args: [broken] })
        .start()
        .join()
        .catch((e: unknown) => e)) as Error;
      expect(threadError.message).toBe(expected);
      expect(threadError.stack).toContain(`imported from ${broken}`);
      const poolError = (await pool.run(load, { args: [broken] }).catch((e: unknown) => e)) as Error;
      expect(poolError.message).toBe(expected);
    } finally {
      rmSync(broken, { force: true });
    }
  });
  it('a module that does not parse: the SyntaxError names it', async () => {
    // Node's SyntaxError says only "Unexpected token ';'", with a stack of its internals: Node shows
    // the file beside an uncaught one, but this one reaches the caller in another thread as data.
    const unparsed = join(root, 'unparsed.mjs');
    writeFileSync(unparsed, 'export default () => { return 1 +; };\n');
    const importer = join(root, 'imports-unparsed.mjs');
    writeFileSync(importer, "import './unparsed.mjs';\nexport default () => 1;\n");
    const error = (await new Thread(pathToFileURL(unparsed))
      .start()
      .join()
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toMatch(
      new RegExp(`^Unexpected token.* \\(in ${unparsed}, or a module it imports\\)$`),
    );
    expect(error.stack).toContain(`(in ${unparsed}, or a module it imports)`);
    // On one worker, the runtime's module cache throws the same error for every later import of the
    // module: each names the module that was imported, and only once.
    await using pool = new ThreadPool({ size: 1 });
    const first = (await pool.run(pathToFileURL(unparsed)).catch((e: unknown) => e)) as Error;
    const viaImporter = (await pool.run(pathToFileURL(importer)).catch((e: unknown) => e)) as Error;
    const again = (await pool.run(pathToFileURL(unparsed)).catch((e: unknown) => e)) as Error;
    expect(first.message).toBe(error.message);
    expect(viaImporter.message).toMatch(new RegExp(`\\(in ${importer}, or a module it imports\\)$`));
    expect(again.message).toBe(error.message);
  });
});

describe('TypeScript that a thread cannot load', () => {
  // Under `tsx` on Node 20 the loader does not reach worker threads: `import('./helper.js')` of a
  // helper.ts, or a .ts module target, failed with Node's bare "Cannot find module" or "Unknown file
  // extension", which did not say why it works on the main thread. These threads have no loader at all.
  const node20 = Number(process.versions.node.split('.')[0]) < 22;
  const hint = node20
    ? 'is TypeScript, and this thread has no loader for it: on Node 20, a loader registered with `tsx` or `node --import tsx` does not reach worker threads (from Node 22 it does)'
    : 'is TypeScript, and this thread has no loader for it: start the program with one';

  it('a .js import whose .ts source is there says that the thread has no TypeScript loader', async () => {
    writeFileSync(join(root, 'ts-helper.ts'), 'export const v: number = 1;\n');
    const target = pathToFileURL(join(root, 'ts-helper.js')).href;
    const load = async (url: string) => {
      await import(url);
    };
    const error = (await new Thread(load, { args: [target] })
      .start()
      .join()
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(error.message).toContain(`Cannot find module '${join(root, 'ts-helper.js')}'`);
    expect(error.message).toContain(`; ts-helper.ts ${hint}`);
    await using pool = new ThreadPool({ size: 1 });
    const poolError = (await pool.run(load, { args: [target] }).catch((e: unknown) => e)) as Error;
    expect(poolError.message).toContain(`; ts-helper.ts ${hint}`);
  });

  it('a module target with an extension Node does not load says the same', async () => {
    // .tsx: Node strips types from .ts files from 22.18 on, but never loads .tsx.
    const file = join(root, 'ts-target.tsx');
    writeFileSync(file, 'export default (): number => 1;\n');
    const error = (await new Thread(pathToFileURL(file))
      .start()
      .join()
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('ERR_UNKNOWN_FILE_EXTENSION');
    expect(error.message).toContain(`Unknown file extension ".tsx" for ${file}; ts-target.tsx ${hint}`);
  });

  it('a missing .js with no TypeScript source keeps Node’s message as it is', async () => {
    const missing = join(root, 'no-source-either.js');
    const error = (await new Thread(pathToFileURL(missing))
      .start()
      .join()
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Cannot find module '.*no-source-either\.js'( imported from .*)?$/);
  });
});
