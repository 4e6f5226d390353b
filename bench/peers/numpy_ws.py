"""The issue's own reference peer, numpy: the same Helmholtz machine and wake-sleep algorithm as
bench/peers/tfjs.js, written the way a competent numpy user would (whole-batch matrix products on
float32 arrays, BLAS doing the products). [784, 200, 50], lr 0.01, weights N(0, 0.01^2), biases 0.

Online (B = 1): wake updates G, then sleep (dreaming with the updated G) updates R, per row.
Minibatch, as the library and the TF.js peer do it: a wake phase on B rows with the parameters
held fixed, then the wake updates averaged over the batch applied to G; then a sleep phase of B
fantasies (from the updated G) with the parameters held fixed, then the sleep updates averaged over
the batch applied to R. With B = 1 this is the online step.

Run by bench/peers/numpy.js, one timed run per call, when numpy is installed (Debian:
python3-numpy; with libopenblas0-pthread, numpy's BLAS is OpenBLAS):
  python3 numpy_ws.py DIGITS ROWS w1 STEPS   online steps on rows 0, 1, .. after 20 untimed ones
  python3 numpy_ws.py DIGITS ROWS w2         one epoch of B = 100 after one untimed batch
  python3 numpy_ws.py info                   versions and the BLAS libraries loaded
DIGITS: ROWS x 784 bytes of 0/1 pixels. Prints one JSON object: {"value": steps/s or vectors/s,
"seconds", "cpuSeconds"} of the timed part, or the info. The BLAS threads are whatever the
environment sets (OPENBLAS_NUM_THREADS).
"""
import json
import sys
import time

import numpy as np

LAYERS = [784, 200, 50]
LR = np.float32(0.01)


def sigmoid(a):
    return np.float32(1) / (np.float32(1) + np.exp(-a))


class Helmholtz:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        n = LAYERS
        normal = lambda shape: (self.rng.standard_normal(shape) * 0.01).astype(np.float32)
        # Row form: P(s_l | s_l+1) = sigma(s_l+1 G[l] + gb[l]); Q(s_l+1 | s_l) = sigma(s_l R[l] + rb[l]).
        self.G = [normal((n[l + 1], n[l])) for l in range(2)]
        self.R = [normal((n[l], n[l + 1])) for l in range(2)]
        self.gb = [np.zeros(n[l], np.float32) for l in range(2)]
        self.rb = [np.zeros(n[l + 1], np.float32) for l in range(2)]
        self.top = np.zeros(n[2], np.float32)

    def bernoulli(self, p):
        return (self.rng.random(p.shape, dtype=np.float32) < p).astype(np.float32)

    def wake_updates(self, x, scale):
        s = [x]
        for l in range(2):
            s.append(self.bernoulli(sigmoid(s[l] @ self.R[l] + self.rb[l])))
        updates = [(self.top, scale * (s[2] - sigmoid(self.top)).sum(0))]
        for l in range(2):
            d = scale * (s[l] - sigmoid(s[l + 1] @ self.G[l] + self.gb[l]))
            updates += [(self.G[l], s[l + 1].T @ d), (self.gb[l], d.sum(0))]
        return updates

    def sleep_updates(self, B, scale):
        t = [None, None, self.bernoulli(np.broadcast_to(sigmoid(self.top), (B, LAYERS[2])))]
        for l in (1, 0):
            t[l] = self.bernoulli(sigmoid(t[l + 1] @ self.G[l] + self.gb[l]))
        updates = []
        for l in range(2):
            e = scale * (t[l + 1] - sigmoid(t[l] @ self.R[l] + self.rb[l]))
            updates += [(self.R[l], t[l].T @ e), (self.rb[l], e.sum(0))]
        return updates

    @staticmethod
    def apply(updates):
        for v, inc in updates:
            v += inc

    def step(self, x):
        scale = np.float32(LR / x.shape[0])
        self.apply(self.wake_updates(x, scale))
        self.apply(self.sleep_updates(x.shape[0], scale))


def timed(run, work):
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    seconds = time.perf_counter() - t0
    return {"value": work / seconds, "seconds": seconds, "cpuSeconds": time.process_time() - c0}


def w1(data, steps):
    m = Helmholtz(1)
    for i in range(20):
        m.step(data[i : i + 1])

    def run():
        for i in range(steps):
            r = i % len(data)
            m.step(data[r : r + 1])

    return timed(run, steps)


def w2(data, B=100):
    m = Helmholtz(1)
    m.step(data[:B])

    def run():
        for b in range(0, len(data), B):
            m.step(data[b : b + B])

    return timed(run, len(data))


def main():
    if sys.argv[1] == "info":
        np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)  # loads the BLAS
        print(json.dumps({"numpy": np.__version__, "python": sys.version.split()[0], "blas": loaded_blas()}))
        return
    path, rows, workload = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = np.fromfile(path, dtype=np.uint8, count=rows * LAYERS[0]).reshape(rows, LAYERS[0]).astype(np.float32)
    print(json.dumps(w1(data, int(sys.argv[4])) if workload == "w1" else w2(data)))


def loaded_blas():
    """The BLAS libraries this process has loaded (Linux), e.g. OpenBLAS or the reference BLAS."""
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    except OSError:
        return []


if __name__ == "__main__":
    main()
