import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ThreadLocal, isolate, local } from 'threadkit/threadlocal';

describe('local()', () => {
  it('is the Python threading.local() object form, scoped like ThreadLocal', async () => {
    const school = local<{ student?: string }>();
    const processStudent = () => `Hello, ${school.student}`;
    const processRequest = (name: string) =>
      isolate(async () => {
        school.student = name;
        await new Promise((resolve) => setTimeout(resolve, name === 'Alice' ? 5 : 1));
        return processStudent();
      });
    expect(await Promise.all([processRequest('Alice'), processRequest('Bob')])).toEqual([
      'Hello, Alice',
      'Hello, Bob',
    ]);
    expect(school.student).toBeUndefined();
  });

  it('console.log / util.inspect, JSON.stringify and Object.keys show the attributes of the current context', () => {
    const obj = local<{ user?: string; n?: number }>();
    expect(inspect(obj)).toBe('Local {}');
    obj.user = 'ann';
    expect(inspect(obj)).toBe("Local { user: 'ann' }");
    expect(inspect({ ctx: obj })).toBe("{ ctx: Local { user: 'ann' } }");
    expect(JSON.stringify(obj)).toBe('{"user":"ann"}');
    expect(Object.keys(obj)).toEqual(['user']);
    isolate(() => {
      obj.n = 1;
      delete obj.user;
      expect(inspect(obj)).toBe('Local { n: 1 }');
      expect(JSON.stringify(obj)).toBe('{"n":1}');
      expect(Object.keys(obj)).toEqual(['n']);
    });
    expect(inspect(obj)).toBe("Local { user: 'ann' }");
    // The hook is not an attribute: no trap reports it.
    expect(Reflect.ownKeys(obj)).toEqual(['user']);
    expect({ ...obj }).toEqual({ user: 'ann' });
  });

  it('reads Object.prototype members when no attribute shadows them', () => {
    const obj = local<{ name?: string }>();
    expect(Object.prototype.toString.call(obj)).toBe('[object Object]');
    expect(typeof obj.toString).toBe('function');
    expect('toString' in obj).toBe(true);
    expect((obj as { then?: unknown }).then).toBeUndefined();
  });

  it('supports symbol keys and stores undefined as a value', () => {
    const key = Symbol('k');
    const obj = local<{ [key]?: number; maybe?: string }>();
    obj[key] = 1;
    obj.maybe = undefined;
    expect(obj[key]).toBe(1);
    expect('maybe' in obj).toBe(true);
    expect(Reflect.ownKeys(obj)).toEqual([key, 'maybe']);
    expect(Object.getOwnPropertyDescriptor(obj, key)).toEqual({
      value: 1,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });

  it('Object.defineProperty with a value sets; accessors and freezing throw', () => {
    const obj = local<{ x?: number }>();
    Object.defineProperty(obj, 'x', { value: 5, configurable: true });
    expect(obj.x).toBe(5);
    expect(() => Object.defineProperty(obj, 'x', { get: () => 1 })).toThrow(TypeError);
    expect(() => Object.defineProperty(obj, 'x', { value: 1, configurable: false })).toThrow(TypeError);
    expect(() => Object.freeze(obj)).toThrow(TypeError);
    expect(() => Object.preventExtensions(obj)).toThrow(TypeError);
  });

  it('a scope shadows attributes the same way ThreadLocal.run() does', () => {
    const obj = local<{ x?: number }>();
    const other = new ThreadLocal<string>();
    obj.x = 1;
    other.run('o', () => {
      expect(obj.x).toBe(1);
      obj.x = 2;
      expect(obj.x).toBe(2);
    });
    expect(obj.x).toBe(1);
  });

  it('inheritable local() attributes are the inheritable locals named after them', () => {
    const ctx = local<{ requestId?: string }>({ inheritable: true });
    const requestId = new ThreadLocal<string>({ inheritable: true, name: 'requestId' });
    requestId.set('r-1');
    expect(ctx.requestId).toBe('r-1');
    expect(Object.keys(ctx)).toContain('requestId');
    ctx.requestId = 'r-2';
    expect(requestId.get()).toBe('r-2');
    delete ctx.requestId;
    expect(requestId.has()).toBe(false);
  });
});
