// Finds the dynamic `import(...)` calls in a shipped function's source, so that compile.ts can point
// them at an importer that resolves as the caller's file would. A regex over the text would also hit
// strings, comments and `obj.import(...)`; this is a small scanner that knows just enough JavaScript
// to skip those:
//   - string literals, template literals (the `${}` expressions inside them are code, and scanned),
//     comments, and regex literals (a `/` starts one unless the token before it ends a value: an
//     identifier that is not a keyword like `return`, a number, a string, `)`, `]` or `}`);
//   - `import` preceded by `.` or `?.` (a property: `x.import(1)`), or by `#` (a private name);
//   - `import(...) {`: a method named `import` in an object literal or class, told apart from a
//     call by the `{` after its matching `)`. (`import:` and `import.meta` have no `(` at all.)
// The source has already been parsed once (target.ts), so it is valid JavaScript.

/** The callee names rewritten: `import` and vitest's own rewrite of it. */
const IMPORT_NAMES = new Set(['import', '__vite_ssr_dynamic_import__']);

/** Words after which a `/` starts a regex literal rather than dividing. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do',
  'else', 'yield', 'await',
]); // prettier-ignore

const isWordChar = (c: string): boolean => /[\w$#]/.test(c) || c > '\x7f';

/** A dynamic import's callee: where it starts in the source, and its length. */
interface Callee {
  readonly at: number;
  readonly length: number;
}

/** A bracket still open: which one, and for the `(` right after an import name, that callee. */
interface Open {
  readonly char: '(' | '[' | '{' | '${';
  readonly callee?: Callee;
}

/** Replaces the callee of every dynamic `import(...)` in `code` with `name`. */
export function rewriteDynamicImports(code: string, name: string): string {
  const calls: Callee[] = [];
  const open: Open[] = [];
  /** The last token: a punctuator itself, a word itself, or 'value' for a literal. */
  let prev = '';
  /** An import name just read, whose `(` is the next token. */
  let callee: Callee | undefined;
  let i = 0;

  /** Index of the first character at or after `j` that is not whitespace or inside a comment. */
  const skipTrivia = (j: number): number => {
    for (;;) {
      while (j < code.length && /\s/.test(code[j]!)) j++;
      if (code.startsWith('//', j)) {
        const nl = code.indexOf('\n', j);
        j = nl === -1 ? code.length : nl;
      } else if (code.startsWith('/*', j)) {
        const end = code.indexOf('*/', j + 2);
        j = end === -1 ? code.length : end + 2;
      } else return j;
    }
  };

  /** Index just past the literal closed by `quote` that starts at `j` (string or regex). */
  const skipQuoted = (j: number, quote: string): number => {
    let inClass = false; // a regex's `[...]`, where `/` does not end it
    for (j++; j < code.length; j++) {
      const c = code[j];
      if (c === '\\') j++;
      else if (quote === '/' && (c === '[' || (c === ']' && inClass))) inClass = c === '[';
      else if (c === quote && !inClass) return j + 1;
    }
    return j;
  };

  /** Scans template text from `j` to the closing backtick (returns past it) or a `${` (opens it). */
  const skipTemplate = (j: number): number => {
    for (; j < code.length; j++) {
      const c = code[j];
      if (c === '\\') j++;
      else if (c === '`') {
        prev = 'value';
        return j + 1;
      } else if (c === '$' && code[j + 1] === '{') {
        open.push({ char: '${' });
        prev = '{';
        return j + 2;
      }
    }
    return j;
  };

  while ((i = skipTrivia(i)) < code.length) {
    const c = code[i]!;
    const pending = callee;
    callee = undefined;
    if (c === '"' || c === "'") {
      i = skipQuoted(i, c);
      prev = 'value';
    } else if (c === '`') {
      i = skipTemplate(i + 1);
    } else if (c === '/' && !endsValue(prev)) {
      i = skipQuoted(i, '/');
      prev = 'value';
    } else if (isWordChar(c)) {
      const start = i;
      while (i < code.length && isWordChar(code[i]!)) i++;
      const word = code.slice(start, i);
      if (IMPORT_NAMES.has(word) && prev !== '.' && prev !== '?.' && code[skipTrivia(i)] === '(') {
        callee = { at: start, length: word.length };
      }
      prev = /^\d/.test(word) ? 'value' : word;
    } else if (c === '(' || c === '[' || c === '{') {
      open.push({ char: c, callee: c === '(' ? pending : undefined });
      prev = c;
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      const closed = open.pop();
      i++;
      if (closed?.char === '${') {
        i = skipTemplate(i);
        continue;
      }
      // `import(x) {` is a method named import, not a call.
      if (closed?.callee && code[skipTrivia(i)] !== '{') calls.push(closed.callee);
      prev = c;
    } else {
      // Punctuators: only `.`, `?.` and `...` matter (to the word after them); the rest count as one
      // character each. `?.5` is `?` and `.5`.
      if (code.startsWith('...', i)) prev = '...';
      else if (code.startsWith('?.', i) && !/\d/.test(code[i + 2] ?? '')) prev = '?.';
      else prev = c;
      i += prev.length;
    }
  }

  let out = '';
  let from = 0;
  for (const call of calls.sort((a, b) => a.at - b.at)) {
    out += code.slice(from, call.at) + name;
    from = call.at + call.length;
  }
  return out + code.slice(from);
}

/** Whether a token ends a value, so that a `/` after it divides (see the file comment). */
function endsValue(prev: string): boolean {
  if (prev === ')' || prev === ']' || prev === '}' || prev === 'value') return true;
  return isWordChar(prev.charAt(0)) && !KEYWORDS_BEFORE_EXPRESSION.has(prev);
}
