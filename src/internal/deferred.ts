// A promise made now and resolved later from elsewhere (an event handler, another method): the shape
// that a pool's "drained" and "all workers exited" promises share, each made once and handed to every
// caller. (Promise.withResolvers does this from Node 22 on; threadkit still supports Node 20.)

/** A promise and the function that resolves it. */
export interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

/** A new pending promise with its resolve function. */
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}
