// Classic wake-sleep on MNIST [784, 200, 50]; test log-likelihood with K = 1,000.
//   node bench/quality/mnist-ws.js                      online, 20 epochs, lr 0.01 (the reference run: -97.7 nats on 2,000 rows)
//   node bench/quality/mnist-ws.js --batch 20 --lr 0.1 --epochs 60          minibatch WS, 60 epochs
//   node bench/quality/mnist-ws.js --batch 20 --lr 0.1 --budget 90          minibatch WS, 90 s of training CPU time
import { parseFlags, run } from "./mnist-common.js";

const HELP = `usage: node bench/quality/mnist-ws.js [--epochs 20] [--lr 0.01] [--batch 1] [--budget SECONDS]
  [--init-scale 0.01] [--seed 1] [--eval-samples 1000] [--eval-every N] [--name NAME]
Writes bench/quality/results/NAME.json (default name from the settings).`;
const o = parseFlags(process.argv.slice(2), { epochs: 20, lr: 0.01, batch: 1, budget: 0, initScale: 0.01, seed: 1, evalSamples: 1000, evalEvery: 0, name: "" }, HELP);
if (o.budget && process.argv.every((a) => !a.startsWith("--epochs"))) o.epochs = 1e6;
const name = o.name || `mnist-ws-b${o.batch}-lr${o.lr}` + (o.budget ? `-cpu${o.budget}s` : `-e${o.epochs}`) + (o.seed !== 1 ? `-s${o.seed}` : "");
await run({
  name, epochs: o.epochs, budget: o.budget, seed: o.seed, initScale: o.initScale, evalSamples: o.evalSamples, evalEvery: o.evalEvery, log: true,
  fit: { algorithm: "ws", learningRate: o.lr, batchSize: o.batch, optimizer: "sgd" },
});
