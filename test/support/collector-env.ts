// The collector's local files for a test, all inside one scratch directory:
// the SQLite store, the replay source and the state files (health, run
// locks, freeze flag). A prefix keeps several collectors in one directory apart.
import path from "node:path";

export function collectorFiles(dir: string, prefix = ""): Record<string, string> {
  return {
    XMONITOR_DB_PATH: path.join(dir, `${prefix}x_monitor.db`),
    XMONITOR_REPLAY_FILE: path.join(dir, `${prefix}replay.jsonl`),
    XMONITOR_HEALTH_FILE: path.join(dir, `${prefix}ingest_health.json`),
    XMONITOR_RUN_LOCK_DIR: path.join(dir, `${prefix}running`),
    XMONITOR_FREEZE_FILE: path.join(dir, `${prefix}freeze`),
  };
}
