// Loads a real lock-algorithm source file (e.g. src/mutex/raw-mutex.ts) as a model for the simulator:
// the code is the production code, mechanically rewritten so that a simulated thread can be suspended
// at every atomic step. The rewrite (on the TypeScript AST, then stripped of types):
//   - every function and method becomes a generator, `async` is dropped;
//   - `Atomics.op(...)` becomes `(yield* sim.atomics.op(...))`;
//   - calls of the runtime imports (`waitSync`, `notify`, `waitAsync`, ...) become `(yield* sim.fn(...))`,
//     except the pure ones (`now`, ...), which become plain `sim.fn(...)` calls;
//   - calls of the file's own functions and methods become `yield*` delegations;
//   - `new LocalClass(...)` becomes `(yield* new LocalClass().__init(...))` (constructors may hold steps);
//   - `await x` becomes `(yield* sim.await(x))`, and `Promise` the simulator's synchronous promise;
//   - an arrow function whose body holds a step becomes a generator function expression (it must not
//     use `this`) when it is returned by a function (`return () => ...`), or passed straight to a
//     parameter named in `generatorParams` of one of the file's functions (`wait(i32, () => evict())`);
//     the parameters a returned one is passed to must be named in `generatorParams` too. A step in any
//     other arrow still fails the load.
// The rewrite must be total: a leftover `Atomics`, `await` or `async` fails the load, so a future edit
// to the algorithm cannot silently escape the model checker.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';

/** Imports the simulator replaces with plain (non-yielding) functions. */
const PURE_IMPORTS = new Set(['now', 'isThreadDead', 'onAbort', 'canBlock']);

/** The exports of a loaded model: generator versions of the file's functions, and its constants. */
export type Model = Record<string, unknown>;

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /** Edits the source before the rewrite (to plant a bug); must change it. */
  readonly mutate?: (source: string) => string;
  /** Names of callback parameters that the caller passes as generator functions (`check`, `wait`). */
  readonly generatorParams?: readonly string[];
  /**
   * Further files (paths from the repository root) compiled into the same model after the main one, so
   * that calls between them are steps of the model too: their imports of one another are dropped (their
   * top-level names must differ), and `mutate` edits the joined source.
   */
  readonly link?: readonly string[];
}

const f = ts.factory;

const yieldStar = (expr: ts.Expression): ts.Expression =>
  f.createParenthesizedExpression(f.createYieldExpression(f.createToken(ts.SyntaxKind.AsteriskToken), expr));

const simMember = (...path: string[]): ts.Expression =>
  path.reduce<ts.Expression>(
    (acc, name) => f.createPropertyAccessExpression(acc, name),
    f.createIdentifier('__sim'),
  );

/** Whether `node` holds a step of its own (a `yield` not inside a nested function). */
const hasStep = (node: ts.Node): boolean => {
  let found = false;
  const walk = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isYieldExpression(n)) found = true;
    else ts.forEachChild(n, walk);
  };
  ts.forEachChild(node, walk);
  return found;
};

const withoutAsync = (mods: readonly ts.ModifierLike[] | undefined) =>
  mods?.filter((m) => m.kind !== ts.SyntaxKind.AsyncKeyword && m.kind !== ts.SyntaxKind.ExportKeyword);

/** Rewrites `file` (a path) into a model factory; see the header comment. */
export function transformSource(
  source: string,
  generatorParams: readonly string[] = [],
): { code: string; exported: string[] } {
  const sf = ts.createSourceFile('model.ts', source, ts.ScriptTarget.ES2022, true);
  const imported = new Set<string>();
  const localFns = new Set<string>();
  /** Parameter names of the file's top-level functions, for arrows passed to generator parameters. */
  const fnParams = new Map<string, string[]>();
  const localClasses = new Set<string>();
  const methods = new Set<string>();
  const exported: string[] = [];
  for (const st of sf.statements) {
    const isExport =
      ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isImportDeclaration(st)) {
      const names = st.importClause?.namedBindings;
      if (names && ts.isNamedImports(names)) for (const el of names.elements) imported.add(el.name.text);
    } else if (ts.isFunctionDeclaration(st) && st.name) {
      if (localFns.has(st.name.text)) throw new Error(`model: function ${st.name.text} declared twice`);
      localFns.add(st.name.text);
      fnParams.set(
        st.name.text,
        st.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')),
      );
      if (isExport) exported.push(st.name.text);
    } else if (ts.isClassDeclaration(st) && st.name) {
      localClasses.add(st.name.text);
      for (const m of st.members)
        if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name)) methods.add(m.name.text);
      if (isExport) exported.push(st.name.text);
    } else if (ts.isVariableStatement(st) && isExport) {
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) exported.push(d.name.text);
    }
  }

  /** Whether `node` is an argument of a call of the file's functions at a generator parameter. */
  const passedToGeneratorParam = (node: ts.Expression): boolean => {
    const call = node.parent;
    if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return false;
    const params = fnParams.get(call.expression.text);
    const name = params?.[call.arguments.indexOf(node)];
    return name !== undefined && generatorParams.includes(name);
  };

  const visit = (node: ts.Node): ts.Node | undefined => {
    if (ts.isImportDeclaration(node)) return undefined;
    if (ts.isFunctionDeclaration(node)) {
      const body = ts.visitEachChild(node, visit, undefined);
      return f.updateFunctionDeclaration(
        body,
        withoutAsync(body.modifiers),
        f.createToken(ts.SyntaxKind.AsteriskToken),
        body.name,
        body.typeParameters,
        body.parameters,
        undefined,
        body.body,
      );
    }
    if (ts.isMethodDeclaration(node)) {
      const body = ts.visitEachChild(node, visit, undefined);
      return f.updateMethodDeclaration(
        body,
        withoutAsync(body.modifiers),
        f.createToken(ts.SyntaxKind.AsteriskToken),
        body.name,
        undefined,
        body.typeParameters,
        body.parameters,
        undefined,
        body.body,
      );
    }
    if (ts.isArrowFunction(node)) {
      const arrow = ts.visitEachChild(node, visit, undefined);
      // Only a returned closure (its caller gets it as a generator parameter), or one passed straight
      // to a generator parameter. Anywhere else, a step in an arrow stays a syntax error below, so it
      // cannot become a generator that a plain call ignores.
      if (!(ts.isReturnStatement(node.parent) || passedToGeneratorParam(node)) || !hasStep(arrow.body))
        return arrow;
      const body = ts.isBlock(arrow.body) ? arrow.body : f.createBlock([f.createReturnStatement(arrow.body)]);
      return f.createFunctionExpression(
        undefined,
        f.createToken(ts.SyntaxKind.AsteriskToken),
        undefined,
        arrow.typeParameters,
        arrow.parameters,
        undefined,
        body,
      );
    }
    if (ts.isConstructorDeclaration(node)) {
      const body = ts.visitEachChild(node, visit, undefined);
      const stmts = [...(body.body?.statements ?? []), f.createReturnStatement(f.createThis())];
      return f.createMethodDeclaration(
        undefined,
        f.createToken(ts.SyntaxKind.AsteriskToken),
        '__init',
        undefined,
        undefined,
        body.parameters,
        undefined,
        f.createBlock(stmts, true),
      );
    }
    if (ts.isVariableStatement(node)) {
      const body = ts.visitEachChild(node, visit, undefined);
      return f.updateVariableStatement(body, withoutAsync(body.modifiers), body.declarationList);
    }
    if (ts.isClassDeclaration(node)) {
      const body = ts.visitEachChild(node, visit, undefined);
      return f.updateClassDeclaration(
        body,
        withoutAsync(body.modifiers),
        body.name,
        body.typeParameters,
        body.heritageClauses,
        body.members,
      );
    }
    if (ts.isIdentifier(node) && node.text === 'Promise') return simMember('Promise');
    if (ts.isAwaitExpression(node)) {
      const inner = ts.visitNode(node.expression, visit) as ts.Expression;
      return yieldStar(f.createCallExpression(simMember('await'), undefined, [inner]));
    }
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      localClasses.has(node.expression.text)
    ) {
      const args = (node.arguments ?? []).map((a) => ts.visitNode(a, visit) as ts.Expression);
      const bare = f.createNewExpression(node.expression, undefined, []);
      return yieldStar(
        f.createCallExpression(f.createPropertyAccessExpression(bare, '__init'), undefined, args),
      );
    }
    if (ts.isCallExpression(node)) {
      const args = node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression);
      const callee = node.expression;
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
        if (callee.expression.text === 'Atomics') {
          return yieldStar(f.createCallExpression(simMember('atomics', callee.name.text), undefined, args));
        }
      }
      if (ts.isIdentifier(callee) && imported.has(callee.text)) {
        const call = f.createCallExpression(simMember(callee.text), undefined, args);
        return PURE_IMPORTS.has(callee.text) ? call : yieldStar(call);
      }
      if (ts.isIdentifier(callee) && (localFns.has(callee.text) || generatorParams.includes(callee.text))) {
        return yieldStar(f.createCallExpression(callee, undefined, args));
      }
      if (ts.isPropertyAccessExpression(callee) && methods.has(callee.name.text)) {
        const target = ts.visitNode(callee.expression, visit) as ts.Expression;
        return yieldStar(
          f.createCallExpression(f.createPropertyAccessExpression(target, callee.name), undefined, args),
        );
      }
      return f.updateCallExpression(
        node,
        ts.visitNode(callee, visit) as ts.Expression,
        node.typeArguments,
        args,
      );
    }
    return ts.visitEachChild(node, visit, undefined);
  };

  const rewritten = ts.visitEachChild(sf, visit, undefined);
  const printed = ts.createPrinter().printFile(rewritten);
  const js = ts.transpileModule(printed, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true },
  }).outputText;
  const leftovers = [/\bAtomics\./, /(?<!\.)\bawait\b/, /\basync\b/, /(?<!__sim\.)\bPromise\b/].filter((re) =>
    re.test(js),
  );
  if (leftovers.length > 0) {
    throw new Error(`model transform is not total: ${leftovers.join(', ')} left in\n${js}`);
  }
  const code = `'use strict';\n${js.replace(/^export \{\};?$/m, '')}`;
  try {
    // Strict mode makes a `yield` left outside a generator (an operation in an arrow function or a
    // callback, which the rewrite cannot suspend) a syntax error instead of a multiplication.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('__sim', code);
  } catch (err) {
    throw new Error(
      `model transform is not total: ${String(err)} (an operation outside a function or method?)`,
    );
  }
  return { code, exported };
}

/**
 * Compiles `path` (relative to the repository root) into a model factory; call the factory with a Sim
 * to get the model's exports bound to it (compiling once, binding per run, keeps runs cheap).
 */
export function compileModel(path: string, options: LoadOptions = {}): (sim: unknown) => Model {
  const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  const files = [path, ...(options.link ?? [])];
  const linked = (from: string, spec: string) =>
    files.includes(posix.join(posix.dirname(from), spec).replace(/\.js$/, '.ts'));
  // Imports between the joined files go: those functions are local to the model now.
  const importOf = /^import\b[^;]*?from\s+'([^']+)';\n/gm;
  const original = files
    .map((file) =>
      read(file).replace(importOf, (decl: string, spec: string) => (linked(file, spec) ? '' : decl)),
    )
    .join('\n');
  const source = options.mutate ? options.mutate(original) : original;
  if (source === original && options.mutate) throw new Error('mutate() did not change the source');
  const { code, exported } = transformSource(source, options.generatorParams);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('__sim', `${code}\nreturn { ${exported.join(', ')} };`) as (s: unknown) => Model;
}
