// Local relevance score of a post, 0..1: what the digests and window
// summaries rank by. Deterministic and pure, so a stored score can be
// recomputed and explained.
//
//   score = 0.45·E + 0.25·R + 0.15·T + 0.15·K
//
//   E  engagement: e = Σ wᵢ·ln(1 + countᵢ) over likes (1.0), reposts (1.5),
//      replies (1.2), quotes (1.5), views (0.3); E = 1 − exp(−e / 12).
//      Logs keep one viral post from drowning everything; the saturation
//      keeps E below 1. (A post with 100 likes, 10 reposts, 5 replies and
//      5000 views has e ≈ 12.9, E ≈ 0.66.)
//   R  recency: 0.5^(age / half-life), half-life 6 h by default; posts dated
//      in the future (clock skew) count as brand new.
//   T  tier: 1 for a priority account, 0 otherwise (discovery, unknown).
//   K  keywords: 1 − 0.5^hits, where hits = distinct watched keywords in
//      the body (1 hit 0.5, 2 hits 0.75, …).
//
// Each term is non-decreasing in its input, the weights are positive and sum
// to 1, so the score is bounded by 0..1 and monotonic in every input.

export const SCORE_WEIGHTS = { engagement: 0.45, recency: 0.25, tier: 0.15, keywords: 0.15 } as const;
const ENGAGEMENT_WEIGHTS = { likes: 1.0, reposts: 1.5, replies: 1.2, quotes: 1.5, views: 0.3 } as const;
const ENGAGEMENT_SCALE = 12;

export type ScoreInput = {
  likes?: number | null;
  reposts?: number | null;
  replies?: number | null;
  quotes?: number | null;
  views?: number | null;
  /** When the post was published (ISO time). */
  createdAt: string;
  /** The time to score at (ISO time or Date). */
  now: string | Date;
  tier?: "priority" | "discovery" | null;
  /** Distinct watched keywords found in the body (countKeywordHits). */
  keywordHits?: number;
  halfLifeHours?: number;
};

const ln1p = (n: number | null | undefined) => Math.log1p(Math.max(0, n ?? 0));

export function engagementTerm(input: Pick<ScoreInput, "likes" | "reposts" | "replies" | "quotes" | "views">): number {
  const e =
    ENGAGEMENT_WEIGHTS.likes * ln1p(input.likes) +
    ENGAGEMENT_WEIGHTS.reposts * ln1p(input.reposts) +
    ENGAGEMENT_WEIGHTS.replies * ln1p(input.replies) +
    ENGAGEMENT_WEIGHTS.quotes * ln1p(input.quotes) +
    ENGAGEMENT_WEIGHTS.views * ln1p(input.views);
  return 1 - Math.exp(-e / ENGAGEMENT_SCALE);
}

export function recencyTerm(options: { createdAt: string; now: string | Date; halfLifeHours?: number }): number {
  const halfLife = options.halfLifeHours ?? 6;
  if (!(halfLife > 0)) throw new RangeError(`half-life must be positive, got ${halfLife}`);
  const created = Date.parse(options.createdAt);
  const now = options.now instanceof Date ? options.now.getTime() : Date.parse(options.now);
  if (!Number.isFinite(created) || !Number.isFinite(now))
    throw new RangeError(`cannot score times "${options.createdAt}" / "${String(options.now)}"`);
  const ageHours = Math.max(0, now - created) / 3_600_000;
  return Math.pow(0.5, ageHours / halfLife);
}

export function scorePost(input: ScoreInput): number {
  const E = engagementTerm(input);
  const R = recencyTerm(input);
  const T = input.tier === "priority" ? 1 : 0;
  const K = 1 - Math.pow(0.5, Math.max(0, input.keywordHits ?? 0));
  const score =
    SCORE_WEIGHTS.engagement * E + SCORE_WEIGHTS.recency * R + SCORE_WEIGHTS.tier * T + SCORE_WEIGHTS.keywords * K;
  return Math.min(1, Math.max(0, score));
}

/**
 * Distinct keywords present in `body`, matched case-insensitively on word
 * boundaries ("AI" matches "#AI" and "AI-driven", not "said"); a keyword of
 * several words matches as a phrase.
 */
export function countKeywordHits(body: string, keywords: readonly string[]): number {
  const text = body.toLowerCase();
  let hits = 0;
  for (const keyword of new Set(keywords.map((k) => k.trim().toLowerCase()).filter(Boolean))) {
    const pattern = keyword.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
    if (new RegExp(`(?<![\\p{L}\\p{N}_])${pattern}(?![\\p{L}\\p{N}_])`, "u").test(text)) hits++;
  }
  return hits;
}
