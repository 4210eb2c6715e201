// Starting the worker of a Thread: the bootstrap to load and the Node flags it needs (see
// worker-url.ts), retried without a flag that Node refuses in an explicit execArgv.
import { Worker, type TransferListItem } from '../internal/worker-host.js';
import type { ResourceLimits } from './options.js';
import type { ThreadWorkerData } from './protocol.js';
import type { TargetDef } from './target.js';
import { dropRejectedExecArgv, threadWorkerUrl, workerExecArgv } from './worker-url.js';

/**
 * Starts the worker that runs `target`, handing it `workerData` (its `port` is transferred along with
 * `transfer`). `tagged`: whether its args hold something for the codec to revive.
 *
 * @throws what `new Worker()` throws, once no rejected flag is left to drop
 */
export function launchThreadWorker(
  target: TargetDef,
  workerData: ThreadWorkerData,
  transfer: readonly TransferListItem[],
  resourceLimits: ResourceLimits | undefined,
  tagged: boolean,
): Worker {
  for (let attempt = 1; ; attempt++) {
    try {
      return new Worker(threadWorkerUrl(target, tagged), {
        workerData,
        transferList: [workerData.port, ...(transfer as never[])],
        resourceLimits,
        execArgv: workerExecArgv(target),
      });
    } catch (err) {
      // A flag Node refuses in an explicit execArgv: dropped (then, at worst, flags inherited).
      if (attempt === 3 || !dropRejectedExecArgv(err)) throw err;
    }
  }
}
