// The CPU PostgreSQL spends while something runs, for benchmarks whose
// server runs on this machine (the test server, local or embedded): the
// time of every process named `postgres` (its backends, autovacuum workers,
// WAL writer and checkpointer) is sampled from /proc, per process, so a
// backend that ends between two samples keeps what it had used at the last
// one (at most one interval of its work is missed). Other databases' work
// on the same server counts too: compare on a quiet server.
import { readdirSync, readFileSync } from "node:fs";
import { CLK_TCK } from "./support";

/** utime + stime (clock ticks) of every live process whose name is `postgres`. */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== "postgres") continue;
      // After the name: utime and stime are the 12th and 13th fields (children's times are not this process's work).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/**
 * Starts sampling; `stop()` gives PostgreSQL's CPU since the start in
 * milliseconds, or null when no PostgreSQL process is visible here (a
 * server elsewhere).
 */
export function watchPostgresCpu(intervalMs = 100): { stop: () => number | null } {
  const before = postgresTicks();
  const latest = new Map(before);
  const sample = () => {
    for (const [pid, ticks] of postgresTicks()) latest.set(pid, Math.max(ticks, latest.get(pid) ?? 0));
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      if (latest.size === 0) return null;
      let used = 0;
      // A pid used again by a new process after its first one ended would look as if it went back: no work counted.
      for (const [pid, ticks] of latest) used += Math.max(0, ticks - (before.get(pid) ?? 0));
      return (used * 1000) / CLK_TCK;
    },
  };
}
