// Loaded with NODE_OPTIONS="--import <this file>" (node refuses --cpu-prof
// there): a V8 CPU profile of the whole process, written to
// $XM_CPU_PROF_DIR/<pid>.cpuprofile when it exits (next start exits on
// SIGTERM through its own handler).
import { writeFileSync, mkdirSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.XM_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  process.on("exit", () => {
    // The in-thread session answers synchronously.
    session.post("Profiler.stop", (error, result) => {
      if (error || !result) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
