// The ESM and CommonJS builds loaded into one thread share one set of thread-locals, so isolate() and
// the Thread/pool hooks of either build cover the locals of both.
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import * as esm from 'threadkit/threadlocal';

const cjs = createRequire(import.meta.url)('threadkit/threadlocal') as typeof esm;

it('loads two distinct builds', () => {
  expect(cjs.ThreadLocal).not.toBe(esm.ThreadLocal);
});

it('isolate() and run() of one build scope the locals of the other', () => {
  const fromEsm = new esm.ThreadLocal<string>();
  const fromCjs = new cjs.ThreadLocal<string>();
  fromEsm.set('esm root');
  fromCjs.set('cjs root');
  esm.isolate(() => fromCjs.set('changed inside esm isolate'));
  cjs.isolate(() => fromEsm.set('changed inside cjs isolate'));
  expect([fromEsm.get(), fromCjs.get()]).toEqual(['esm root', 'cjs root']);
  expect(fromEsm.run('scoped', () => fromCjs.get())).toBe('cjs root');
});

it('inheritable locals with one name are one variable across builds', () => {
  const a = new esm.ThreadLocal<number>({ inheritable: true, name: 'dual' });
  const b = new cjs.ThreadLocal<number>({ inheritable: true, name: 'dual' });
  expect(a.run(1, () => b.get())).toBe(1);
});
