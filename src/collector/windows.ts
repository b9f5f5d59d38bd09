// Fixed time windows per mode (6 h by default, aligned on UTC midnight) and
// their extractive summaries. Window ids name the mode, the start and the
// ISO-8601 duration, e.g. 'discovery:2026-02-25T18:00:00Z/PT6H', so every
// run that sees the same window writes the same row.
import type { WindowSummaryInput } from "./store/sqlite-store";
import { documentFrequencies, escapeMarkdown, firstSentence, topTerms } from "./text";
import { toIsoMs, toIsoSeconds } from "./util/time";

export const DEFAULT_WINDOW_HOURS = 6;

export type WindowBounds = { window_id: string; mode: string; window_start: string; window_end: string };

/** What summaries and shift detection need of a post (a StoredTweet fits). */
export type WindowPost = {
  status_id: string;
  author_handle: string;
  body: string;
  created_at: string;
  score?: number | null;
  like_count?: number | null;
  url?: string | null;
  is_repost?: boolean;
};

function windowMs(hours: number): number {
  if (!Number.isInteger(hours) || hours < 1 || 24 % hours !== 0)
    throw new RangeError(`window hours must divide 24, got ${hours}`);
  return hours * 3_600_000;
}

function boundsAt(mode: string, startMs: number, hours: number): WindowBounds {
  return {
    window_id: `${mode}:${toIsoSeconds(startMs)}/PT${hours}H`,
    mode,
    window_start: toIsoMs(startMs),
    window_end: toIsoMs(startMs + windowMs(hours)),
  };
}

/** The window of `mode` containing `time`. */
export function windowFor(options: { mode: string; time: string | Date; hours?: number }): WindowBounds {
  const hours = options.hours ?? DEFAULT_WINDOW_HOURS;
  const size = windowMs(hours);
  const t = Date.parse(toIsoMs(options.time));
  return boundsAt(options.mode, Math.floor(t / size) * size, hours);
}

/** The window just before `window`. */
export function previousWindow(window: WindowBounds): WindowBounds {
  const start = Date.parse(window.window_start);
  const hours = (Date.parse(window.window_end) - start) / 3_600_000;
  return boundsAt(window.mode, start - windowMs(hours), hours);
}

/** Groups posts into their windows, oldest window first. */
export function groupByWindow<P extends WindowPost>(options: {
  mode: string;
  posts: readonly P[];
  hours?: number;
}): { window: WindowBounds; posts: P[] }[] {
  const groups = new Map<string, { window: WindowBounds; posts: P[] }>();
  for (const post of options.posts) {
    const window = windowFor({ mode: options.mode, time: post.created_at, hours: options.hours });
    const group = groups.get(window.window_id) ?? { window, posts: [] };
    group.posts.push(post);
    groups.set(window.window_id, group);
  }
  return [...groups.values()].sort((a, b) => a.window.window_start.localeCompare(b.window.window_start));
}

/** Highest score first; ties by likes, then by status id, so the order never depends on input order. */
export function rankPosts<P extends WindowPost>(posts: readonly P[]): P[] {
  return [...posts].sort(
    (a, b) =>
      (b.score ?? 0) - (a.score ?? 0) ||
      (b.like_count ?? 0) - (a.like_count ?? 0) ||
      a.status_id.length - b.status_id.length ||
      a.status_id.localeCompare(b.status_id),
  );
}

export function summariseWindow(options: {
  window: WindowBounds;
  posts: readonly WindowPost[];
  topN?: number;
  topTerms?: number;
}): WindowSummaryInput {
  const { window } = options;
  const start = Date.parse(window.window_start);
  const end = Date.parse(window.window_end);
  const posts = options.posts.filter((p) => {
    const t = Date.parse(p.created_at);
    return t >= start && t < end;
  });
  // A repost repeats someone else's words: it counts as activity, not as a headline.
  const originals = posts.filter((p) => !p.is_repost);
  const top = rankPosts(originals).slice(0, options.topN ?? 5);

  const range = `${window.window_start.slice(0, 16).replace("T", " ")}–${window.window_end.slice(11, 16)} UTC`;
  const lines: string[] = [];
  if (posts.length === 0) {
    lines.push(`No posts in ${range}.`);
  } else {
    const authors = new Set(posts.map((p) => p.author_handle)).size;
    lines.push(
      `**${posts.length} post${posts.length === 1 ? "" : "s"}** from ${authors} account${authors === 1 ? "" : "s"}, ${range}.`,
    );
    const terms = topTerms(documentFrequencies(originals.map((p) => p.body)), { n: options.topTerms ?? 6 });
    if (terms.length) lines.push("", `Top terms: ${terms.map(([t, n]) => `${t} (${n})`).join(", ")}.`);
    if (top.length) {
      lines.push("");
      for (const p of top) {
        const score = p.score == null ? "" : ` (score ${p.score.toFixed(2)})`;
        const link = p.url ? ` [post](${p.url})` : "";
        lines.push(`- **@${p.author_handle}**${score}: ${escapeMarkdown(firstSentence(p.body))}${link}`);
      }
    }
  }
  return {
    ...window,
    post_count: posts.length,
    summary_md: lines.join("\n"),
    top_status_ids: top.map((p) => p.status_id),
  };
}
