import { describe, expect, it } from "vitest";
import { hashedNgramVector } from "./embedding";
import { detectNarrativeShifts, type WindowSample } from "./narrative-shifts";
import { windowFor, type WindowPost } from "./windows";

const prevWindow = windowFor({ mode: "discovery", time: "2026-02-25T13:00:00Z" });
const curWindow = windowFor({ mode: "discovery", time: "2026-02-25T19:00:00Z" });
const now = "2026-02-25T23:00:00Z";

let seq = 0;
const post = (body: string, score = 0.5): WindowPost => ({
  status_id: String(1000 + ++seq),
  author_handle: "a",
  body,
  created_at: "2026-02-25T19:00:00Z",
  score,
});

const routine = [
  "Rates steady before the auction",
  "Brent slips after inventory data",
  "Senate committee advances the permitting package",
  "New eval results on long context",
  "Grid demand sets a February record",
  "Dollar firmer against the yen",
];
const story = [
  "Commerce extends export controls to inference chips",
  "Export controls on inference chips hit accelerator makers",
  "What the inference chips rule means for export controls",
  "Inference chips export controls: compute threshold explained",
];

const sample = (window: typeof curWindow, bodies: string[], scores: number[] = []): WindowSample => {
  const posts = bodies.map((b, i) => post(b, scores[i] ?? 0.5));
  return { window, posts, vectors: new Map(posts.map((p) => [p.status_id, hashedNgramVector(p.body, { dims: 256 })])) };
};

describe("detectNarrativeShifts", () => {
  it("reports a term whose share of posts rose, once for the terms that describe the same posts", () => {
    const previous = sample(prevWindow, routine);
    const current = sample(curWindow, [...routine.slice(0, 4), ...story], [0.5, 0.5, 0.5, 0.5, 0.4, 0.9, 0.2, 0.7]);
    const shifts = detectNarrativeShifts({ previous, current, now, centroidThreshold: 2 });
    expect(shifts).toHaveLength(1);
    const [shift] = shifts;
    expect(shift).toMatchObject({
      topic: "export controls",
      window_id: curWindow.window_id,
      magnitude: 0.5,
      detected_at: "2026-02-25T23:00:00.000Z",
    });
    expect(shift!.description).toBe(
      '"export controls" appears in 50% of posts (4 of 8) in this window, up from 0% (0 of 6) in the previous one.',
    );
    // Evidence: the story posts, best score first.
    const ids = current.posts.map((p) => p.status_id);
    expect(shift!.status_ids).toEqual([ids[5], ids[7], ids[4], ids[6]]);
  });

  it("is deterministic: same input, same ids and order", () => {
    const previous = sample(prevWindow, routine);
    const current = sample(curWindow, [...routine.slice(0, 4), ...story]);
    const a = detectNarrativeShifts({ previous, current, now });
    const b = detectNarrativeShifts({ previous, current: { ...current, posts: [...current.posts].reverse() }, now });
    expect(b).toEqual(a);
    expect(a[0]!.shift_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("reports nothing for a steady conversation or without a baseline", () => {
    expect(
      detectNarrativeShifts({ previous: sample(prevWindow, routine), current: sample(curWindow, routine), now }),
    ).toEqual([]);
    expect(
      detectNarrativeShifts({
        previous: sample(prevWindow, routine.slice(0, 2)),
        current: sample(curWindow, story),
        now,
      }),
    ).toEqual([]);
  });

  it("ignores reposts, which repeat their original's words", () => {
    const previous = sample(prevWindow, routine);
    const current = sample(curWindow, [...routine, ...story.map((s) => `RT @x: ${s}`)]);
    for (const p of current.posts.slice(routine.length)) p.is_repost = true;
    expect(detectNarrativeShifts({ previous, current, now })).toEqual([]);
  });

  it("reports a move of the embedding centroid, citing the posts furthest along it", () => {
    const previous = sample(prevWindow, routine);
    const current = sample(curWindow, story);
    const shifts = detectNarrativeShifts({ previous, current, now, termThreshold: 2 });
    expect(shifts).toHaveLength(1);
    expect(shifts[0]!.topic).toBe("conversation moved");
    expect(shifts[0]!.magnitude).toBeGreaterThan(0.3);
    expect(shifts[0]!.magnitude).toBeLessThanOrEqual(1);
    expect(new Set(shifts[0]!.status_ids)).toEqual(new Set(current.posts.map((p) => p.status_id)));
    // Without vectors there is no centroid signal.
    expect(
      detectNarrativeShifts({ previous: { ...previous, vectors: undefined }, current, now, termThreshold: 2 }),
    ).toEqual([]);
  });
});
