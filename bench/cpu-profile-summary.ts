// npx tsx bench/cpu-profile-summary.ts <file.cpuprofile | dir> [--top N]
//
// Where a V8 CPU profile (node --cpu-prof) spent its samples: self time by
// function and by package (node_modules/<name>, node: internals, our own
// src/, (garbage collector), (idle)), and the inclusive time of a few
// functions of interest on the ingest path. Used to profile the cutover
// (bench:cutover -- --cpu-prof <dir>).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { intArg, isEntry, printTable } from "./support";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** Inclusive time of these functions (any frame whose name matches), counted once per stack. */
const OF_INTEREST = [
  "pushIngestBatch",
  "validateBatchItems",
  "safeParse",
  "deserialize",
  "serialize",
  "parse",
  "stringify",
  "canonicalJson",
  "sha256Hex",
  "toRecordsetJson",
  "$queryRawUnsafe",
  "readBatches",
  "rowToItem",
];

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node: internals";
  const src = url.indexOf("/src/");
  if (src >= 0)
    return `src/${url
      .slice(src + 5)
      .split("/")
      .slice(0, 2)
      .join("/")}`;
  if (url.includes("/.next/")) return ".next (app bundle)";
  return path.basename(url);
}

export function summarise(file: string, top = 25): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const busyUs = [...selfUs.entries()]
    .filter(([id]) => byId.get(id)!.callFrame.functionName !== "(idle)")
    .reduce((a, [, v]) => a + v, 0);

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const fn =
      `${functionName || "(anonymous)"} ${url ? `${packageOf(url, functionName)}:${lineNumber + 1}` : ""}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPackage.set(packageOf(url, functionName), (byPackage.get(packageOf(url, functionName)) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      for (const wanted of OF_INTEREST)
        if (name === wanted && !seen.has(wanted)) {
          seen.add(wanted);
          inclusive.set(wanted, (inclusive.get(wanted) ?? 0) + us);
        }
    }
  }
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1)} %`;
  const s = (us: number) => (us / 1e6).toFixed(2);
  console.log(`\n${file}: ${s(totalUs)} s sampled, ${s(busyUs)} s not idle`);
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]);
  printTable(
    ["package (self time)", "s", "of busy"],
    sorted(byPackage)
      .slice(0, 15)
      .map(([k, v]) => [k, s(v), pct(v)]),
  );
  console.log("");
  printTable(
    ["function (self time)", "s", "of busy"],
    sorted(byFunction)
      .slice(0, top)
      .map(([k, v]) => [k.slice(0, 110), s(v), pct(v)]),
  );
  console.log("");
  printTable(
    ["function (inclusive)", "s", "of busy"],
    sorted(inclusive).map(([k, v]) => [k, s(v), pct(v)]),
  );
}

if (isEntry(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    console.error("usage: tsx bench/cpu-profile-summary.ts <file.cpuprofile | dir> [--top N]");
    process.exit(2);
  }
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => f.endsWith(".cpuprofile"))
        .map((f) => path.join(target, f))
    : [target];
  for (const f of files) summarise(f, intArg("top", 25));
}
