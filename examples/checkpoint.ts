// checkpoint: the motivating use case. A training loop saves a checkpoint every epoch (the latest
// model, and the best model whenever the test loss improves). Saving serializes a few MB and fsyncs
// it, which stalls training when done inline. Here each epoch's save runs on a background Thread
// while the next epoch trains; the loop joins the previous save before starting the next one and
// reads the best test loss it returned. Both ways run in the same process on the same data, and the
// program prints the time saved.
//
// The model: multi-output linear regression Y = X·W + b on generated data, trained with minibatch
// SGD with momentum, all in Float32Arrays. A checkpoint is JSON holding the weights and the momentum.
//
// Run: npm run example checkpoint
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Thread, spawn } from 'threadkit/thread';

const IN = 256; // input features
const OUT = 256; // outputs: the model has IN*OUT + OUT parameters (~66k); a checkpoint is ~2.6 MB
const TRAIN = 512;
const TEST = 128;
const BATCH = 32;
const EPOCHS = Number(process.env.EPOCHS ?? 6);
const LEARNING_RATE = 0.02;
const MOMENTUM = 0.9;

/** A small deterministic PRNG (mulberry32), so both runs see the same data and the same model. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

/** Generated data: X uniform, Y = X·W* + noise for a fixed random W*. */
function makeData(rows: number, rand: () => number, trueW: Float32Array) {
  const x = Float32Array.from({ length: rows * IN }, rand);
  const y = new Float32Array(rows * OUT);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < IN; i++) {
      const xi = x[r * IN + i]!;
      for (let o = 0; o < OUT; o++) y[r * OUT + o]! += xi * trueW[i * OUT + o]!;
    }
    for (let o = 0; o < OUT; o++) y[r * OUT + o]! += 0.05 * rand();
  }
  return { x, y, rows };
}

type Data = ReturnType<typeof makeData>;

class Model {
  readonly w = new Float32Array(IN * OUT);
  readonly b = new Float32Array(OUT);
  readonly vw = new Float32Array(IN * OUT); // momentum
  readonly vb = new Float32Array(OUT);
  readonly #pred = new Float32Array(OUT);

  /** Writes the prediction for row `r` of `x` into `#pred` and returns it. */
  predict(x: Float32Array, r: number): Float32Array {
    const pred = this.#pred;
    pred.set(this.b);
    for (let i = 0; i < IN; i++) {
      const xi = x[r * IN + i]!;
      for (let o = 0; o < OUT; o++) pred[o]! += xi * this.w[i * OUT + o]!;
    }
    return pred;
  }

  /** One epoch of minibatch SGD with momentum over `data`. */
  trainEpoch(data: Data): void {
    const gw = new Float32Array(IN * OUT);
    const gb = new Float32Array(OUT);
    for (let start = 0; start < data.rows; start += BATCH) {
      gw.fill(0);
      gb.fill(0);
      for (let r = start; r < start + BATCH; r++) {
        const pred = this.predict(data.x, r);
        for (let o = 0; o < OUT; o++) pred[o] = (2 * (pred[o]! - data.y[r * OUT + o]!)) / (BATCH * OUT);
        for (let i = 0; i < IN; i++) {
          const xi = data.x[r * IN + i]!;
          for (let o = 0; o < OUT; o++) gw[i * OUT + o]! += xi * pred[o]!;
        }
        for (let o = 0; o < OUT; o++) gb[o]! += pred[o]!;
      }
      for (let k = 0; k < gw.length; k++) {
        this.vw[k] = MOMENTUM * this.vw[k]! - LEARNING_RATE * 1000 * gw[k]!;
        this.w[k]! += this.vw[k]!;
      }
      for (let o = 0; o < OUT; o++) {
        this.vb[o] = MOMENTUM * this.vb[o]! - LEARNING_RATE * 1000 * gb[o]!;
        this.b[o]! += this.vb[o]!;
      }
    }
  }

  /** Mean squared error over `data`. */
  loss(data: Data): number {
    let sum = 0;
    for (let r = 0; r < data.rows; r++) {
      const pred = this.predict(data.x, r);
      for (let o = 0; o < OUT; o++) sum += (pred[o]! - data.y[r * OUT + o]!) ** 2;
    }
    return sum / (data.rows * OUT);
  }

  /** A copy of the state a checkpoint holds (so training can go on while it is saved). */
  snapshot(): Float32Array[] {
    return [this.w.slice(), this.b.slice(), this.vw.slice(), this.vb.slice()];
  }
}

/** What a save reports back: the best test loss so far, and whether this epoch's model became the best. */
interface Saved {
  epoch: number;
  bestLoss: number;
  renewed: boolean;
}

/**
 * Saves a checkpoint: `latest.json` every epoch, `best.json` when `testLoss` beats `bestLoss`. Each file
 * is written and fsynced. Self-contained (it imports what it needs), so it can run on a Thread.
 *
 */
async function saveCheckpoint(
  dir: string,
  epoch: number,
  testLoss: number,
  bestLoss: number,
  tensors: Float32Array[],
): Promise<Saved> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    const fd = fs.openSync(`${file}.tmp`, 'w');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd); // on disk before it replaces the previous checkpoint
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(`${file}.tmp`, file);
  };
  const [w, b, vw, vb] = tensors.map((t) => Array.from(t));
  const text = JSON.stringify({ epoch, testLoss, w, b, momentum: { w: vw, b: vb } });
  write('latest.json', text);
  if (testLoss >= bestLoss) return { epoch, bestLoss, renewed: false };
  write('best.json', text);
  return { epoch, bestLoss: testLoss, renewed: true };
}

/** Trains from scratch; saves inline or on a background Thread. Returns the wall time and last loss. */
async function train(background: boolean, train: Data, test: Data, log: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'threadkit-checkpoint-'));
  const model = new Model();
  let bestLoss = Infinity;
  let saving: Thread<Saved> | undefined;
  const report = (saved: Saved) => {
    bestLoss = saved.bestLoss;
    if (saved.renewed && log) console.log(`==> Best Model Renewed. (epoch ${saved.epoch})`);
  };
  const start = performance.now();
  let testLoss = NaN;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    model.trainEpoch(train);
    testLoss = model.loss(test);
    if (log) console.log(`epoch ${epoch}: test loss ${testLoss.toFixed(5)}`);
    if (background) {
      if (saving) report(await saving.join()); // the previous epoch's save: finished by now, usually
      const tensors = model.snapshot();
      saving = new Thread(saveCheckpoint, {
        args: [dir, epoch, testLoss, bestLoss, tensors],
        transfer: tensors.map((t) => t.buffer as ArrayBuffer), // the copies move to the thread; nothing is cloned
      }).start();
    } else {
      report(await saveCheckpoint(dir, epoch, testLoss, bestLoss, model.snapshot()));
    }
  }
  if (saving) report(await saving.join());
  const ms = performance.now() - start;
  rmSync(dir, { recursive: true, force: true });
  return { ms, testLoss, bestLoss };
}

const rand = random(42);
const trueW = Float32Array.from({ length: IN * OUT }, rand);
const trainData = makeData(TRAIN, rand, trueW);
const testData = makeData(TEST, rand, trueW);

// Warm-up, so neither timed run pays for compiling the training code or starting the first worker.
new Model().trainEpoch(testData);
await spawn(() => 0).join();

console.log('Saving on a background Thread:');
const background = await train(true, trainData, testData, true);
const inline = await train(false, trainData, testData, false);
if (inline.testLoss !== background.testLoss || inline.bestLoss !== background.bestLoss) {
  throw new Error('the two runs should train the same model');
}
const saved = inline.ms - background.ms;
console.log(`best test loss: ${background.bestLoss.toFixed(5)}`);
console.log(`inline saves:     ${inline.ms.toFixed(0)} ms for ${EPOCHS} epochs`);
console.log(`background saves: ${background.ms.toFixed(0)} ms for ${EPOCHS} epochs`);
console.log(`time saved: ${saved.toFixed(0)} ms (${((saved / inline.ms) * 100).toFixed(0)}%)`);
