// Narrative shifts between two consecutive windows, by two deterministic signals:
//
// 1. Term share: for each content term (word or word pair), the share of a
//    window's posts containing it. A term whose share rose by at least
//    `termThreshold` (and that appears in at least `minPosts` posts now) is a
//    shift; its magnitude is the rise itself (0..1: from 10% of posts to 60%
//    is 0.5). Terms that describe the same posts (evidence overlap ≥ 60%)
//    are one shift, named after the strongest term.
// 2. Embedding centroid: the cosine distance between the mean vectors of the
//    two windows; at or above `centroidThreshold` the conversation as a whole
//    moved. Magnitude is the distance, capped at 1.
//
// Both need a baseline: with fewer than `minPosts` posts in either window
// nothing is reported, since every term is "new" after an empty window.
import { centroid, cosineSimilarity } from "./embedding";
import type { NarrativeShiftInput } from "./store/sqlite-store";
import { contentTerms } from "./text";
import { compareStatusIds, stableUuid } from "./util/ids";
import { toIsoMs } from "./util/time";
import { rankPosts, type WindowBounds, type WindowPost } from "./windows";

export type WindowSample = {
  window: WindowBounds;
  posts: readonly WindowPost[];
  vectors?: ReadonlyMap<string, readonly number[]>;
};

export type ShiftOptions = {
  previous: WindowSample;
  current: WindowSample;
  now: string | Date;
  termThreshold?: number;
  centroidThreshold?: number;
  minPosts?: number;
  maxShifts?: number;
  maxEvidence?: number;
};

const pct = (x: number) => `${Math.round(x * 100)}%`;

function termShares(posts: readonly WindowPost[]): Map<string, Set<string>> {
  const byTerm = new Map<string, Set<string>>();
  for (const p of posts) {
    for (const term of contentTerms(p.body)) {
      const ids = byTerm.get(term) ?? new Set<string>();
      ids.add(p.status_id);
      byTerm.set(term, ids);
    }
  }
  return byTerm;
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.min(a.size, b.size);
}

export function detectNarrativeShifts(options: ShiftOptions): NarrativeShiftInput[] {
  const termThreshold = options.termThreshold ?? 0.2;
  const centroidThreshold = options.centroidThreshold ?? 0.3;
  const minPosts = options.minPosts ?? 3;
  const maxEvidence = options.maxEvidence ?? 5;
  const detectedAt = toIsoMs(options.now);
  const windowId = options.current.window.window_id;
  // Reposts duplicate their original's text and would count it twice. A fixed
  // order makes floating-point sums, and so magnitudes, independent of input order.
  const canonical = (posts: readonly WindowPost[]) =>
    posts.filter((p) => !p.is_repost).sort((a, b) => compareStatusIds(a.status_id, b.status_id));
  const prev = canonical(options.previous.posts);
  const cur = canonical(options.current.posts);
  if (prev.length < minPosts || cur.length < minPosts) return [];
  const byId = new Map(cur.map((p) => [p.status_id, p]));
  const evidence = (ids: Iterable<string>) =>
    rankPosts([...ids].map((id) => byId.get(id)!))
      .slice(0, maxEvidence)
      .map((p) => p.status_id);

  const shifts: NarrativeShiftInput[] = [];

  const prevShares = termShares(prev);
  const candidates = [...termShares(cur)]
    .map(([term, ids]) => {
      const before = (prevShares.get(term)?.size ?? 0) / prev.length;
      const now = ids.size / cur.length;
      return { term, ids, before, now, rise: now - before };
    })
    .filter((c) => c.ids.size >= minPosts && c.rise >= termThreshold)
    // Strongest rise first; on a tie the word pair, being more specific, names the shift.
    .sort(
      (a, b) => b.rise - a.rise || b.term.split(" ").length - a.term.split(" ").length || a.term.localeCompare(b.term),
    );
  const chosen: typeof candidates = [];
  for (const c of candidates) {
    if (chosen.some((k) => overlap(k.ids, c.ids) >= 0.6)) continue;
    chosen.push(c);
  }
  for (const c of chosen) {
    shifts.push({
      shift_id: stableUuid("narrative-shift", windowId, "term", c.term),
      topic: c.term,
      detected_at: detectedAt,
      window_id: windowId,
      magnitude: Math.min(1, Math.max(0, c.rise)),
      description: `"${c.term}" appears in ${pct(c.now)} of posts (${c.ids.size} of ${cur.length}) in this window, up from ${pct(c.before)} (${prevShares.get(c.term)?.size ?? 0} of ${prev.length}) in the previous one.`,
      status_ids: evidence(c.ids),
    });
  }

  const centroidShift = detectCentroidShift({ prev, cur, options, minPosts });
  if (centroidShift && centroidShift.distance >= centroidThreshold) {
    const rising = chosen.slice(0, 3).map((c) => c.term);
    const topic = rising.length ? `conversation moved toward ${rising.join(", ")}` : "conversation moved";
    shifts.push({
      shift_id: stableUuid("narrative-shift", windowId, "centroid"),
      topic,
      detected_at: detectedAt,
      window_id: windowId,
      magnitude: Math.min(1, centroidShift.distance),
      description: `The mean embedding of this window's posts is at cosine distance ${centroidShift.distance.toFixed(3)} from the previous window's (${centroidShift.counts[1]} and ${centroidShift.counts[0]} embedded posts); the cited posts lie furthest in the direction of the move.`,
      status_ids: centroidShift.evidence.slice(0, maxEvidence),
    });
  }

  return shifts
    .sort((a, b) => b.magnitude - a.magnitude || a.shift_id.localeCompare(b.shift_id))
    .slice(0, options.maxShifts ?? 5);
}

function detectCentroidShift(input: {
  prev: readonly WindowPost[];
  cur: readonly WindowPost[];
  options: ShiftOptions;
  minPosts: number;
}) {
  const pv = input.options.previous.vectors;
  const cv = input.options.current.vectors;
  if (!pv || !cv) return undefined;
  const prevVectors = input.prev.flatMap((p) => (pv.get(p.status_id) ? [pv.get(p.status_id)!] : []));
  const curEntries = input.cur.flatMap((p) =>
    cv.get(p.status_id) ? [[p.status_id, cv.get(p.status_id)!] as const] : [],
  );
  if (prevVectors.length < input.minPosts || curEntries.length < input.minPosts) return undefined;
  const a = centroid(prevVectors)!;
  const b = centroid(curEntries.map(([, v]) => v))!;
  const distance = Math.max(0, 1 - cosineSimilarity(a, b));
  const direction = b.map((x, i) => x - a[i]!);
  const evidence = curEntries
    .map(([id, v]) => ({ id, along: cosineSimilarity(v, direction) }))
    .sort((x, y) => y.along - x.along || x.id.localeCompare(y.id))
    .map((e) => e.id);
  return { distance, evidence, counts: [prevVectors.length, curEntries.length] as const };
}
