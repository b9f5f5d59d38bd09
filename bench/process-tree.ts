// Wall time and peak memory of a command and every process it starts.
//
// Memory is read from /proc while the command runs: every `intervalMs` the
// tree under the command (found by parent pid) is walked and, per process,
// VmRSS (now) and VmHWM (its own peak so far) are read. Two figures come
// out: the largest single-process peak (VmHWM is kept by the kernel, so no
// spike between samples is missed while the process lives) and the largest
// sampled sum of the tree's VmRSS (what a forking tool holds at once). When
// /usr/bin/time is present the command runs under it as well and its %M
// (the largest peak of any process it waited for, from the kernel's rusage)
// is a cross-check that covers a process dying between two samples.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { watchPostgresCpu } from "./postgres-cpu";

export type TreeSample = { peakTreeKb: number; peakSingleKb: number; processes: number };
export type MeasuredRun = TreeSample & {
  wallMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** GNU time's %M in kB, when it ran under /usr/bin/time. */
  timeMaxRssKb: number | null;
  /** The command's CPU (user + system, its waited-for children's included) in ms, from GNU time's %U and %S. */
  cpuMs: number | null;
  /** PostgreSQL's CPU meanwhile (ms; bench/postgres-cpu.ts), when asked for and its server runs on this machine. */
  postgresCpuMs: number | null;
  /** The figure reported: the largest of the single-process peak, the tree sum and %M. */
  peakKb: number;
};

const TIME = "/usr/bin/time";

function statusKb(field: "VmRSS" | "VmHWM", text: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** Pids of `root`'s descendants (not `root` itself), from /proc/<pid>/stat. */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses: cut after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(name), Number(rest[1]));
    } catch {
      // gone meanwhile
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The RSS of a process tree now (kB): the sum of its processes' VmRSS. */
export function treeRssKb(
  rootPid: number,
  options: { includeRoot?: boolean; onProcess?: (pid: number, hwmKb: number) => void } = {},
): number {
  const pids = [...(options.includeRoot === false ? [] : [rootPid]), ...descendants(rootPid)];
  let sum = 0;
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/status`, "utf8");
      const rss = statusKb("VmRSS", text);
      if (rss === 0) continue; // a zombie or a kernel thread
      sum += rss;
      options.onProcess?.(pid, statusKb("VmHWM", text));
    } catch {
      // exited between listing and reading
    }
  }
  return sum;
}

/** Samples the memory of a process tree until stopped. */
export function watchTree(
  rootPid: number,
  options: { includeRoot?: boolean; intervalMs?: number } = {},
): { stop: () => TreeSample; sampleNow: () => void } {
  const seen = new Set<number>();
  let peakTreeKb = 0;
  let peakSingleKb = 0;
  const sampleNow = () => {
    const sum = treeRssKb(rootPid, {
      ...options,
      onProcess: (pid, hwmKb) => {
        seen.add(pid);
        peakSingleKb = Math.max(peakSingleKb, hwmKb);
      },
    });
    peakTreeKb = Math.max(peakTreeKb, sum);
  };
  sampleNow();
  const timer = setInterval(sampleNow, options.intervalMs ?? 50);
  return {
    sampleNow,
    stop: () => {
      clearInterval(timer);
      return { peakTreeKb, peakSingleKb, processes: seen.size };
    },
  };
}

/** Runs `command args…` and measures its wall time and the peak memory of its process tree. */
export async function runMeasured(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean; intervalMs?: number; postgresCpu?: boolean } = {},
): Promise<MeasuredRun> {
  const useTime = existsSync(TIME);
  const scratch = useTime ? mkdtempSync(path.join(tmpdir(), "xm-bench-time-")) : undefined;
  const timeFile = scratch ? path.join(scratch, "time.txt") : undefined;
  const [file, argv] = useTime ? [TIME, ["-f", "%M %U %S", "-o", timeFile!, command, ...args]] : [command, args];
  const postgres = options.postgresCpu ? watchPostgresCpu() : null;
  const started = performance.now();
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Under /usr/bin/time the tree of interest is below it; `time` itself (a few MB) is not counted.
  const watch = watchTree(child.pid!, {
    includeRoot: !useTime,
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.echo) process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (options.echo) process.stderr.write(chunk);
  });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, sig) => resolve([code, sig]));
  });
  const wallMs = performance.now() - started;
  const postgresCpuMs = postgres?.stop() ?? null;
  const tree = watch.stop();
  let timeMaxRssKb: number | null = null;
  let cpuMs: number | null = null;
  if (timeFile && existsSync(timeFile)) {
    // The last line is ours ("Command exited with non-zero status" may come before it).
    const last = /^(\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(
      readFileSync(timeFile, "utf8").trim().split("\n").pop() ?? "",
    );
    if (last) {
      timeMaxRssKb = Number(last[1]);
      cpuMs = (Number(last[2]) + Number(last[3])) * 1000;
    }
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  return {
    ...tree,
    wallMs,
    exitCode,
    signal,
    stdout,
    stderr,
    timeMaxRssKb,
    cpuMs,
    postgresCpuMs,
    peakKb: Math.max(tree.peakSingleKb, tree.peakTreeKb, timeMaxRssKb ?? 0),
  };
}
