// Every shareable primitive, loaded in each threadkit worker so that one arriving in a Thread's or a
// pool task's args is revived live by the codec (each primitive registers itself when its module
// loads). A new primitive adds one import here. Imported by used reference, so bundlers keep them.
import { Barrier } from '../barrier/barrier.js';
import { Condition } from '../condition/condition.js';
import { Event } from '../event/event.js';
import { CountDownLatch } from '../latch/latch.js';
import { Mutex } from '../mutex/mutex.js';
import { Once } from '../once/once.js';
import { Queue } from '../queue/queue.js';
import { RwLock } from '../rwlock/rwlock.js';
import { Semaphore } from '../semaphore/semaphore.js';

/** The classes of every shareable primitive. */
export const shareableTypes = [
  Mutex,
  Semaphore,
  Event,
  CountDownLatch,
  Condition,
  Barrier,
  RwLock,
  Once,
  Queue,
] as const;
