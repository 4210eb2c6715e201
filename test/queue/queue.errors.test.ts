// Errors inside a Queue's values arrive as they would from a thread (src/internal/error-codec.ts): the
// class (threadkit's and the built-ins), name, message, code, cause, own properties and stack, at the
// top of a value or inside its arrays, plain objects, Maps and Sets. Structured clone alone (node:v8)
// keeps only a built-in class, the message and the stack.
import { afterEach, describe, expect, it } from 'vitest';
import { Mutex } from 'threadkit/mutex';
import { Queue, QueueClosedError, ThreadkitError, TimeoutError } from 'threadkit/queue';
import { firstMessage, fixture, startWorker, terminateAll, watchdog } from '../helpers/workers.js';

afterEach(terminateAll);

/** Puts `v` and gets it back, on this thread. */
function roundTrip<T>(v: T): T {
  const q = new Queue<T>(1);
  q.put(v);
  return q.get();
}

describe('Queue: errors in values (built package)', () => {
  it('keeps a threadkit error: its class, name, code, message and stack', () => {
    const err = new TimeoutError('took too long');
    const back = roundTrip(err);
    expect(back).toBeInstanceOf(TimeoutError);
    expect(back).toBeInstanceOf(ThreadkitError);
    expect([back.name, back.code, back.message, back.stack]).toEqual([
      'TimeoutError',
      'ERR_TIMEOUT',
      'took too long',
      err.stack,
    ]);
  });

  it("keeps a user's error: its built-in class, name, own properties and cause", () => {
    const err = Object.assign(new RangeError('bad', { cause: new QueueClosedError('closed') }), {
      code: 'E_X',
      detail: { n: 1, at: new Date(5) },
    });
    err.name = 'MyRangeError';
    const back = roundTrip(err);
    expect(back).toBeInstanceOf(RangeError);
    expect([back.name, back.message, back.code, back.detail, back.stack]).toEqual([
      'MyRangeError',
      'bad',
      'E_X',
      { n: 1, at: new Date(5) },
      err.stack,
    ]);
    expect(back.cause).toBeInstanceOf(QueueClosedError);
    expect((back.cause as QueueClosedError).code).toBe('ERR_QUEUE_CLOSED');
  });

  it('keeps errors nested in arrays, plain objects, Maps and Sets, and shared references', () => {
    const user = Object.assign(new Error('shared'), { code: 'E_SHARED' });
    const value = {
      list: [new TimeoutError('a'), user],
      byKey: new Map<unknown, unknown>([[user, new TypeError('t')]]),
      members: new Set([user]),
      plain: 'text',
    };
    const back = roundTrip(value);
    expect(back.list[0]).toBeInstanceOf(TimeoutError);
    const [shared] = [...back.members] as (Error & { code: string })[];
    expect(shared?.code).toBe('E_SHARED');
    expect(back.list[1]).toBe(shared);
    expect([...back.byKey.keys()][0]).toBe(shared);
    expect([...back.byKey.values()][0]).toBeInstanceOf(TypeError);
    expect(back.plain).toBe('text');
  });

  it('still refuses shared memory next to an error, with the message that says where', () => {
    const q = new Queue<unknown>(1);
    expect(() => q.put([new TimeoutError('x'), { lock: new Mutex() }])).toThrow(
      /a Mutex \(at value\[1\]\.lock\) cannot be put in a Queue/,
    );
    expect(q.size).toBe(0);
  });

  it('across threads: errors put in a worker that imports only threadkit/queue arrive whole here', async () => {
    const q = new Queue<unknown>(2);
    const worker = startWorker(fixture('queue-errors.mjs'), { handle: structuredClone(q), mode: 'put' });
    const { stacks } = await watchdog(firstMessage<{ stacks: string[] }>(worker), 10_000, 'the put worker');
    const top = q.get() as TimeoutError;
    expect(top).toBeInstanceOf(TimeoutError);
    expect([top.code, top.message]).toEqual(['ERR_TIMEOUT', 'timed out']);
    const nested = q.get() as { list: Error[]; byKey: Map<string, Error>; members: Set<Error> };
    const user = nested.list[0] as RangeError & { code: string; detail: unknown };
    expect(user).toBeInstanceOf(RangeError);
    expect([user.code, user.detail, user.stack]).toEqual(['E_X', { n: 1 }, stacks[0]]);
    expect(user.cause).toBeInstanceOf(TimeoutError);
    expect(nested.byKey.get('k')).toBeInstanceOf(QueueClosedError);
    expect([...nested.members][0]).toBe(user);
  });

  it('across threads: errors put here arrive whole in a worker that imports only threadkit/queue', async () => {
    const q = new Queue<unknown>(1);
    const user = Object.assign(new SyntaxError('user', { cause: 7 }), { code: 'E_Y', detail: [1] });
    q.put([new TimeoutError('timed out'), user]);
    const worker = startWorker(fixture('queue-errors.mjs'), { handle: structuredClone(q), mode: 'get' });
    const got = await watchdog(firstMessage<Record<string, unknown>[]>(worker), 10_000, 'the get worker');
    expect(got[0]).toMatchObject({
      ctor: 'TimeoutError',
      timeout: true,
      name: 'TimeoutError',
      code: 'ERR_TIMEOUT',
    });
    expect(got[1]).toEqual({
      ctor: 'SyntaxError',
      timeout: false,
      closed: false,
      name: 'SyntaxError',
      message: 'user',
      code: 'E_Y',
      detail: [1],
      cause: 7,
      stack: user.stack,
    });
  });
});
