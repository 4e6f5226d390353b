// One worker of bench/independent.js: runs the one-thread W2 workload on its own machine and its
// own copy of the digits each time it is asked, and replies with the run's vectors/s.
import { parentPort, workerData } from "node:worker_threads";
import { w2Ours } from "./workloads.js";

const w2 = w2Ours(workerData.digits, 1);
parentPort.on("message", async () => parentPort.postMessage((await w2.once()).value));
parentPort.postMessage("ready");
