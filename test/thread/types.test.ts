// Type tests (checked by `tsc --noEmit`): the option types declared locally, so that the published
// typings need no @types/node, stay what Node's Worker accepts.
import type { ResourceLimits as NodeResourceLimits, TransferListItem } from 'node:worker_threads';
import { describe, expectTypeOf, it } from 'vitest';
import type { ResourceLimits, RunOptions, ThreadOptions } from 'threadkit/thread';

describe('thread option types', () => {
  it('ResourceLimits is Node’s, and transfer takes what Node transfers', () => {
    expectTypeOf<ResourceLimits>().toEqualTypeOf<NodeResourceLimits>();
    expectTypeOf<TransferListItem[]>().toExtend<NonNullable<ThreadOptions['transfer']>>();
    expectTypeOf<TransferListItem[]>().toExtend<NonNullable<RunOptions['transfer']>>();
  });
});
