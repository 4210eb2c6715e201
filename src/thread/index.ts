/**
 * `threadkit/thread`: threads with results, and a thread pool.
 *
 * @module thread
 */
export { Thread, type ThreadOptions } from './thread.js';
export { spawn } from './spawn.js';
export { ThreadPool, type ThreadPoolOptions, type RunOptions } from './thread-pool.js';
export { currentThread, currentTask, type ThreadInfo, type TaskInfo } from './current.js';
export type { ResourceLimits } from './options.js';
export {
  ThreadkitError,
  TimeoutError,
  ThreadExitError,
  ThreadStateError,
  QueueFullError,
  PoolClosedError,
  InconsistentStateError,
  BlockingNotAllowedError,
} from '../errors.js';
