// Reweighted wake-sleep (Bornschein & Bengio 2015) on MNIST [784, 200, 50]: K samples per row,
// wake update of P and of Q plus the sleep update of Q; test log-likelihood with K = 1,000.
//   node bench/quality/mnist-rws.js --epochs 60            minibatch B = 20, lr 0.1, SGD, K = 5, 60 epochs
//   node bench/quality/mnist-rws.js --budget 90            the same for 90 s of training CPU time
import { parseFlags, run } from "./mnist-common.js";

const HELP = `usage: node bench/quality/mnist-rws.js [--epochs 60] [--lr 0.1] [--batch 20] [--k 5] [--budget SECONDS]
  [--no-sleep-q] [--no-wake-q] [--init-scale 0.01] [--seed 1] [--eval-samples 1000] [--eval-every N] [--name NAME]
Writes bench/quality/results/NAME.json (default name from the settings).`;
const o = parseFlags(process.argv.slice(2), { epochs: 60, lr: 0.1, batch: 20, k: 5, budget: 0, noSleepQ: false, noWakeQ: false, initScale: 0.01, seed: 1, evalSamples: 1000, evalEvery: 0, name: "" }, HELP);
if (o.budget && process.argv.every((a) => !a.startsWith("--epochs"))) o.epochs = 1e6;
const name = o.name || `mnist-rws-k${o.k}-b${o.batch}-lr${o.lr}` + (o.noWakeQ ? "-nowq" : "") + (o.noSleepQ ? "-nosq" : "") + (o.budget ? `-cpu${o.budget}s` : `-e${o.epochs}`) + (o.seed !== 1 ? `-s${o.seed}` : "");
await run({
  name, epochs: o.epochs, budget: o.budget, seed: o.seed, initScale: o.initScale, evalSamples: o.evalSamples, evalEvery: o.evalEvery, log: true,
  fit: { algorithm: "rws", samples: o.k, wakeQ: !o.noWakeQ, sleepQ: !o.noSleepQ, learningRate: o.lr, batchSize: o.batch, optimizer: "sgd" },
});
