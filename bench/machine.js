// The machine a benchmark ran on, and how busy the rest of the machine was meanwhile.
import os from "node:os";
import { readFileSync } from "node:fs";

/** CPU model, cores, memory, OS, Node and V8 versions. */
export function machineInfo() {
  const cpus = os.cpus();
  const flags = cpuFlags();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    logicalCpus: cpus.length,
    mhz: cpus[0]?.speed || undefined,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    virtualized: flags ? flags.includes("hypervisor") : undefined,
    simdFlags: flags ? ["sse4_2", "avx", "avx2", "fma", "avx512f"].filter((f) => flags.includes(f)) : undefined,
    node: process.versions.node,
    v8: process.versions.v8,
  };
}

function cpuFlags() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("flags"));
    return line ? line.split(":")[1].trim().split(/\s+/) : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/stat and /proc/PID/stat (USER_HZ, 100 on Linux). */
export const USER_HZ = 100;

// Busy (steal included), total and steal jiffies of all CPUs from /proc/stat (Linux), or undefined.
export function cpuJiffies() {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total, steal: f[7] || 0 };
  } catch {
    return undefined;
  }
}

/**
 * Watches how much CPU other processes use while we run: CPU-busy time of the whole machine
 * (from /proc/stat) minus this process's own CPU time, as a fraction of all cores' time; and the
 * steal time on its own, which counts among the busy time.
 * Child processes (the peak kernel's compiler) count as "others", except the CPU seconds passed to
 * stop() (a browser the run drove); the estimate is rough.
 */
export function loadMonitor() {
  const start = { jiffies: cpuJiffies(), own: process.cpuUsage(), load: os.loadavg(), t: performance.now() };
  return {
    stop(alsoOwnSeconds = 0) {
      const j = cpuJiffies();
      const own = process.cpuUsage(start.own);
      const wall = (performance.now() - start.t) / 1000;
      const cores = os.cpus().length;
      let others, steal;
      if (j && start.jiffies) {
        const busy = (j.busy - start.jiffies.busy) / USER_HZ;
        const total = (j.total - start.jiffies.total) / USER_HZ || wall * cores;
        const ownSeconds = (own.user + own.system) / 1e6 + alsoOwnSeconds;
        others = Math.max(0, Math.min(1, (busy - ownSeconds) / total));
        steal = Math.max(0, Math.min(1, (j.steal - start.jiffies.steal) / USER_HZ / total));
      }
      const load = os.loadavg();
      return {
        seconds: round(wall, 1),
        othersBusyFraction: others === undefined ? undefined : round(others, 3),
        // Time the hypervisor ran other guests on our vCPUs while they had work.
        stealFraction: steal === undefined ? undefined : round(steal, 3),
        ownCpuSeconds: round((own.user + own.system) / 1e6, 1),
        loadavgStart: start.load.map((x) => round(x, 2)),
        loadavgEnd: load.map((x) => round(x, 2)),
        // More than a tenth of the machine busy with other work counts as shared.
        shared: others === undefined ? load[1] > 0.5 : others > 0.1,
      };
    },
  };
}

export function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
