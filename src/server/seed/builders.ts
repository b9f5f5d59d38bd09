// Builders of realistic items in the ingest wire shape (the collector's
// SQLite rows). Used by the demo seed and by tests, so both exercise the
// same shapes the collector really sends.
import type {
  EmbeddingItem,
  NarrativeShiftItem,
  PipelineRunItem,
  PostItem,
  ReportItem,
  WatchAccountItem,
  WindowSummaryItem,
} from "~/shared/schemas/items";
import type { Random } from "../../shared/random";

const subjects = [
  "GPU export rules",
  "the Fed's rate path",
  "open-weight models",
  "chip supply in Taiwan",
  "the EU AI Act",
  "data-center power demand",
  "inference pricing",
  "stablecoin regulation",
  "robotics funding",
  "quantum error correction",
];
const openers = [
  "Thread:",
  "Quick take on",
  "New numbers on",
  "Worth reading on",
  "Hot take:",
  "Notes from today's briefing on",
  "Just published: our analysis of",
  "Big if true:",
];
const closers = [
  "Details below.",
  "Link in replies.",
  "More tomorrow.",
  "This changes the 2027 outlook.",
  "Markets haven't priced this in.",
  "Curious what others see.",
  "Charts attached.",
  "",
];
export const demoHandles = [
  "semianalysis",
  "fedwatcher",
  "ai_policy_eu",
  "gpu_supply",
  "marketpulse",
  "openweights",
  "powergrid_nerd",
  "robofunds",
  "qc_daily",
  "stablecoin_law",
  "inference_econ",
  "chipsandtaiwan",
];

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function buildWatchAccount(
  r: Random,
  handle: string,
  tier: "priority" | "discovery",
  at: number,
): WatchAccountItem {
  return {
    handle,
    user_id: String(r.int(10_000_000, 1_999_999_999)),
    tier,
    active: 1,
    note: tier === "priority" ? "core source" : null,
    added_at: iso(at),
    updated_at: iso(at),
  };
}

export function buildPost(
  r: Random,
  options: {
    statusId: string;
    handle: string;
    createdAt: number;
    collectedAt: number;
    mode: string;
    runId: string | null;
  },
): PostItem {
  const subject = r.pick(subjects);
  const sentences = r.int(1, 6);
  const parts = [`${r.pick(openers)} ${subject}.`];
  for (let i = 1; i < sentences; i++) {
    parts.push(
      r.pick([
        `Supply looks ${r.pick(["tighter", "looser", "stable"])} than consensus for ${subject}.`,
        `Our estimate moved ${r.int(2, 40)}% since last quarter.`,
        `Three things matter here: cost, timing and who blinks first.`,
        `The filing shows ${r.int(3, 90)} new line items worth a look.`,
        `Watch the ${r.pick(["Monday", "Tuesday", "Thursday"])} hearing closely.`,
      ]),
    );
  }
  parts.push(r.pick(closers));
  const body = parts.join(" ").trim();
  const likes = Math.floor(r.next() ** 3 * 20_000);
  const tweet = {
    id: options.statusId,
    text: body,
    author_id: String(r.int(10_000_000, 99_999_999)),
    created_at: iso(options.createdAt),
    lang: "en",
    public_metrics: {
      like_count: likes,
      retweet_count: Math.floor(likes / r.int(3, 12)),
      reply_count: Math.floor(likes / r.int(10, 40)),
      quote_count: Math.floor(likes / r.int(20, 80)),
      impression_count: likes * r.int(20, 90),
    },
  };
  return {
    status_id: options.statusId,
    author_handle: options.handle,
    author_id: tweet.author_id,
    body,
    lang: "en",
    url: `https://x.com/${options.handle}/status/${options.statusId}`,
    created_at: tweet.created_at,
    collected_at: iso(options.collectedAt),
    mode: options.mode,
    run_id: options.runId,
    like_count: likes,
    repost_count: tweet.public_metrics.retweet_count,
    reply_count: tweet.public_metrics.reply_count,
    quote_count: tweet.public_metrics.quote_count,
    view_count: tweet.public_metrics.impression_count,
    is_reply: r.chance(0.15) ? 1 : 0,
    is_repost: 0,
    conversation_id: options.statusId,
    score: Math.round(r.next() * 1000) / 1000,
    raw_json: JSON.stringify(tweet),
    updated_at: iso(options.collectedAt),
  };
}

export function buildRun(options: {
  runId: string;
  mode: string;
  runAt: number;
  durationMs: number;
  status: "success" | "failed" | "running";
  fetched: number;
  created: number;
  error?: string | null;
}): PipelineRunItem {
  const finished = options.status === "running" ? null : iso(options.runAt + options.durationMs);
  return {
    run_id: options.runId,
    mode: options.mode,
    run_at: iso(options.runAt),
    finished_at: finished,
    status: options.status,
    fetched_count: options.fetched,
    new_count: options.created,
    error: options.error ?? null,
    updated_at: finished ?? iso(options.runAt),
  };
}

export function buildReport(
  r: Random,
  options: { runId: string; mode: string; at: number; posts: PostItem[] },
): ReportItem {
  const top = [...options.posts].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).slice(0, 5);
  const lines = top.map((p) => `- **@${p.author_handle}** (score ${p.score}): ${p.body.slice(0, 120)}`);
  return {
    report_id: r.uuid(),
    run_id: options.runId,
    kind: `${options.mode}-digest`,
    title: `${options.mode} digest: ${options.posts.length} new posts`,
    body_md: `## ${options.mode} digest\n\n${lines.join("\n") || "_No new posts in this run._"}\n`,
    status_ids: top.map((p) => p.status_id),
    created_at: iso(options.at),
    updated_at: iso(options.at),
  };
}

export function buildEmbedding(r: Random, post: PostItem, dims: number): EmbeddingItem {
  const raw = Array.from({ length: dims }, () => r.next() * 2 - 1);
  const norm = Math.hypot(...raw) || 1;
  return {
    status_id: post.status_id,
    model: `local-hash-ngram-${dims}`,
    dims,
    // float32 precision, as the collector's BLOB holds it
    vector: raw.map((v) => Math.fround(v / norm)),
    created_at: post.collected_at,
    updated_at: post.collected_at,
  };
}

export function buildWindowSummary(options: {
  mode: string;
  start: number;
  hours: number;
  posts: PostItem[];
}): WindowSummaryItem {
  const startIso = iso(options.start).replace(".000Z", "Z");
  const end = options.start + options.hours * 3600_000;
  const top = [...options.posts].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).slice(0, 5);
  return {
    window_id: `${options.mode}:${startIso}/PT${options.hours}H`,
    mode: options.mode,
    window_start: iso(options.start),
    window_end: iso(end),
    post_count: options.posts.length,
    summary_md: top.map((p) => `- ${p.body.slice(0, 100)}`).join("\n") || "_quiet window_",
    top_status_ids: top.map((p) => p.status_id),
    created_at: iso(end),
    updated_at: iso(end),
  };
}

export function buildNarrativeShift(
  r: Random,
  options: { windowId: string; at: number; posts: PostItem[] },
): NarrativeShiftItem {
  const topic = r.pick(subjects);
  return {
    shift_id: r.uuid(),
    topic,
    detected_at: iso(options.at),
    window_id: options.windowId,
    magnitude: Math.round((0.35 + r.next() * 0.6) * 100) / 100,
    description: `Mentions of ${topic} rose sharply against the previous window.`,
    status_ids: options.posts.slice(0, 3).map((p) => p.status_id),
    created_at: iso(options.at),
    updated_at: iso(options.at),
  };
}
