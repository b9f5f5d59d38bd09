// Writes a realistic replay file (replay-source.ts format) from a seed: the
// same seed, count and time range give the same bytes on every machine.
// Accounts and bodies are invented. Part-way through the range a storyline
// (export controls on inference chips) takes over a share of the posts, so
// window summaries and narrative-shift detection have something to find.
import { createHash } from "node:crypto";
import { writeFileAtomic } from "../util/atomic-file";
import { toIsoMs } from "../util/time";
import { seededRandom, type Random } from "~/shared/random";
import type { ReplayLine } from "./replay-source";
import type { XTweet, XUser } from "./x-types";

type Topic = "markets" | "ai" | "policy" | "chips" | "energy";
type Account = { username: string; name: string; topics: Topic[]; reach: number };

export const REPLAY_ACCOUNTS: readonly Account[] = [
  { username: "macro_desk", name: "Macro Desk", topics: ["markets"], reach: 4.2 },
  { username: "fedwatch_ana", name: "Ana Ruiz | Fed Watch", topics: ["markets", "policy"], reach: 3.8 },
  { username: "policywonk", name: "Policy Wonk", topics: ["policy"], reach: 3.5 },
  { username: "capitol_tracker", name: "Capitol Tracker", topics: ["policy"], reach: 3.0 },
  { username: "ai_lab_notes", name: "AI Lab Notes", topics: ["ai"], reach: 4.0 },
  { username: "ml_papers_daily", name: "ML Papers Daily", topics: ["ai"], reach: 3.6 },
  { username: "chipwatch", name: "Chip Watch", topics: ["chips", "ai"], reach: 3.4 },
  { username: "gridanalyst", name: "Grid Analyst", topics: ["energy"], reach: 2.8 },
  { username: "energy_tape", name: "Energy Tape", topics: ["energy", "markets"], reach: 3.1 },
  { username: "quant_marta", name: "Marta K", topics: ["markets"], reach: 2.6 },
  { username: "openweights_fan", name: "open weights enjoyer", topics: ["ai"], reach: 2.2 },
  { username: "tradepolicy_eu", name: "EU Trade Policy Notes", topics: ["policy", "chips"], reach: 2.9 },
];

const pct = (r: Random) => (0.2 + r.next() * 3.8).toFixed(1);
const SLOTS: Record<string, (r: Random) => string> = {
  pct,
  pct2: pct,
  index: (r) => r.pick(["S&P 500", "Nasdaq 100", "Russell 2000", "Euro Stoxx 50", "Nikkei"]),
  updown: (r) => r.pick(["up", "down"]),
  breadth: (r) => r.pick(["thin", "decent", "terrible", "the best since January"]),
  sector: (r) => r.pick(["semis", "utilities", "banks", "energy", "megacap tech"]),
  yield: (r) => (3.8 + r.next() * 0.9).toFixed(2),
  auction: (r) => r.pick(["2y", "5y", "10y", "30y"]),
  bp: (r) => (r.next() * 3).toFixed(1),
  dealer: (r) => String(r.int(9, 24)),
  cuts: (r) => String(r.int(1, 4)),
  cuts2: (r) => String(r.int(0, 3)),
  fedcomment: (r) =>
    r.pick([
      "The dots will not save anyone.",
      "Powell's presser did more than the statement.",
      "Labour data is doing the talking.",
    ]),
  company: (r) => r.pick(["Northwind Semi", "Helio Compute", "Atlas Cloud", "Veridian Labs", "Kestrel Systems"]),
  dir: (r) => r.pick(["above consensus", "below consensus", "in line"]),
  metric: (r) => r.pick(["data-centre revenue", "gross margin", "capex", "free cash flow"]),
  smallpct: (r) => (0.1 + r.next() * 1.1).toFixed(2),
  bigpct: (r) => String(r.int(15, 60)),
  fxquote: (r) => {
    const [pair, mid, digits] = r.pick([
      ["EUR/USD", 1.08, 4],
      ["USD/JPY", 151, 2],
      ["GBP/USD", 1.27, 4],
    ] as const);
    return `${pair} at ${(mid * (0.98 + r.next() * 0.04)).toFixed(digits)}`;
  },
  cpi: (r) => (0.1 + r.next() * 0.4).toFixed(1),
  cpi2: (r) => (0.1 + r.next() * 0.4).toFixed(1),
  take: (r) =>
    r.pick(["Shelter is still the whole story.", "Goods deflation is fading.", "Supercore cooled, finally."]),
  model: (r) => r.pick(["frontier", "open-weights", "small", "reasoning"]),
  score: (r) => String(r.int(55, 92)),
  score2: (r) => String(r.int(40, 70)),
  benchmark: (r) => r.pick(["SWE-bench Verified", "GPQA Diamond", "MMLU-Pro", "ARC-AGI"]),
  caveat: (r) =>
    r.pick([
      "Contamination checks pending.",
      "Single run, no error bars.",
      "Same harness as last time, so comparable.",
    ]),
  paper_topic: (r) =>
    r.pick([
      "sparse attention at long context",
      "test-time compute scaling",
      "distilling reasoning traces",
      "KV-cache quantisation",
    ]),
  result: (r) =>
    r.pick(["2x throughput at equal quality", "small models close most of the gap", "gains vanish past 32k tokens"]),
  release: (r) => r.pick(["out today", "promised for next month", "not released"]),
  size: (r) => r.pick(["7", "14", "32", "70", "120"]),
  license: (r) => r.pick(["Apache-2.0", "a custom licence", "MIT"]),
  skill: (r) => r.pick(["code", "maths", "tool use", "long documents"]),
  weakness: (r) => r.pick(["multilingual", "instruction following", "refusals"]),
  model_class: (r) => r.pick(["mid-size", "frontier", "open"]),
  reason: (r) => r.pick(["batching and speculative decoding", "cheaper HBM", "better kernels"]),
  need: (r) => r.pick(["agents over days", "real software maintenance", "calibration"]),
  agency: (r) => r.pick(["Commerce", "the FTC", "the SEC", "the European Commission", "the FCC"]),
  policy_topic: (r) =>
    r.pick([
      "AI model reporting",
      "data-centre grid interconnection",
      "stablecoin reserves",
      "open-weights disclosure",
    ]),
  days: (r) => r.pick(["30", "45", "60"]),
  committee: (r) => r.pick(["Commerce", "Banking", "Judiciary", "Energy"]),
  bill: (r) => r.pick(["AI transparency bill", "permitting reform package", "chip subsidy extension"]),
  vote: (r) => `${r.int(12, 16)}-${r.int(5, 11)}`,
  country: (r) => r.pick(["Canada", "the EU", "Japan", "Mexico"]),
  goods: (r) => r.pick(["steel", "EV batteries", "solar modules", "legacy chips"]),
  response: (r) => r.pick(["a WTO filing", "matching tariffs", "a quota on imports", "a request for talks"]),
  doc: (r) => r.pick(["draft guidance", "final rule", "committee report"]),
  sec: (r) => String(r.int(2, 9)),
  change: (r) =>
    r.pick([
      "reporting moves from voluntary to mandatory",
      "the threshold drops by 10x",
      "enforcement shifts to the states",
    ]),
  fab: (r) => r.pick(["Northwind Semi", "Kestrel Foundry"]),
  node: (r) => r.pick(["2nm", "3nm", "18A-class"]),
  yieldstate: (r) => r.pick(["ahead of plan", "behind plan", "on plan"]),
  timing: (r) => r.pick(["in Q3", "slips to next year", "starts now"]),
  year: (r) => r.pick(["2026", "2027"]),
  state: (r) => r.pick(["sold out", "tight", "loosening"]),
  source: (r) => r.pick(["two suppliers", "channel checks", "the earnings call"]),
  gw: (r) => String(r.int(40, 90)),
  month: (r) => r.pick(["February", "March"]),
  note: (r) => r.pick(["Reserves stayed fine.", "Prices spiked to the cap for an hour.", "Wind carried the evening."]),
  event: (r) => r.pick(["the OPEC+ statement", "a pipeline outage", "inventory data"]),
  region: (r) => r.pick(["Texas", "Virginia", "Arizona", "Ohio"]),
  mult: (r) => String(r.int(2, 5)),
  outlet: (r) => r.pick(["two trade newsletters", "a wire service", "people briefed on it"]),
  threshold: (r) => String(r.pick([400, 600, 800])),
  product: (r) => r.pick(["most data-centre accelerators", "even mid-range inference cards", "only the top SKUs"]),
  ticker: (r) => r.pick(["$NWSM", "$HELI", "$KSTL"]),
  ticker2: (r) => r.pick(["$ATLC", "$VRDN"]),
  updown2: (r) => r.pick(["up", "down"]),
};

const TEMPLATES: Record<Topic | "story", string[]> = {
  markets: [
    "{index} {updown} {pct}% into the close. Breadth was {breadth}; {sector} did most of the work.",
    "10y at {yield}% after the {auction} auction. Tail of {bp}bp, dealers took {dealer}%.",
    "Fed funds futures now price {cuts} cuts by December, from {cuts2} a week ago. {fedcomment}",
    "{company} guides {dir} on {metric}; stock {updown} {pct}% after hours.",
    "Dollar index {updown} {smallpct}% on the day; {fxquote}.",
    "Core CPI printed {cpi}% m/m vs {cpi2}% expected. {take}",
  ],
  ai: [
    "New {model} model eval: {score}% on {benchmark}, up from {score2}%. {caveat}",
    "Paper thread: {paper_topic}. Key result: {result}. Code and weights {release}.",
    "{company} ships a {size}B open-weights model under {license}. Early tests: strong at {skill}, weak at {weakness}.",
    "Inference cost for {model_class} models fell about {bigpct}% this year, mostly from {reason}.",
    "Hot take: {benchmark} is saturated; we need evals for {need}.",
  ],
  policy: [
    "{agency} publishes its draft rule on {policy_topic}; the comment period runs {days} days.",
    "Senate {committee} Committee advances the {bill} on a {vote} vote. Floor time is the question.",
    "{country} answers the new tariffs on {goods} with {response}.",
    "Reading the {doc}: section {sec} is where the real change is: {change}.",
  ],
  chips: [
    "{fab} says {node} yields are {yieldstate}; the volume ramp {timing}.",
    "HBM supply for {year} is {state}, per {source}.",
    "{company} capex up again. Every dollar of it is going to accelerators and power.",
  ],
  energy: [
    "ERCOT peak demand hit {gw} GW today, a record for {month}. {note}",
    "Brent {updown} {pct}% after {event}.",
    "Data-centre load requests in {region} now total {gw} GW, {mult}x the 2024 forecast.",
  ],
  story: [
    "Breaking: Commerce to extend export controls to inference chips above a compute threshold, per {outlet}.",
    "If the inference chip export controls land as drafted, {company} loses a big slice of China revenue. The compute threshold matters more than the headline.",
    "Everyone asking what the compute threshold means for inference chips: it is {threshold} TOPS, which catches {product}.",
    "Markets pricing the export controls on inference chips: {ticker} {updown} {pct}%, {ticker2} {updown2} {pct2}%.",
    "The inference chips rule is the real story this week. Export controls were about training clusters; now the compute threshold reaches deployment.",
  ],
};

const REPLIES = [
  "Agreed, and the second-order effects are bigger.",
  "Not sure that holds once you adjust for seasonality.",
  "Source?",
  "This is the key chart of the week.",
  "Worth reading the footnotes on this one.",
  "Strong disagree, the base rate says otherwise.",
];

const TWITTER_EPOCH_MS = 1288834974657n;

function fill(template: string, r: Random): string {
  const text = template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    const gen = SLOTS[slot];
    if (!gen) throw new Error(`replay template slot {${slot}} has no generator`);
    return gen(r);
  });
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Stable, realistic-looking (16-19 digit) user id per handle. */
function userIdFor(username: string): string {
  return (createHash("sha256").update(username).digest().readBigUInt64BE(0) >> 4n).toString();
}

function metrics(r: Random, reach: number) {
  const likes = Math.max(0, Math.round(Math.exp(reach + 1.1 * r.normal())) - 1);
  return {
    retweet_count: Math.round(likes * (0.05 + 0.15 * r.next())),
    reply_count: Math.round(likes * (0.02 + 0.08 * r.next())),
    like_count: likes,
    quote_count: Math.round(likes * 0.02 * r.next()),
    bookmark_count: Math.round(likes * 0.1 * r.next()),
    impression_count: Math.round((likes + 1) * (40 + 120 * r.next())),
  };
}

/** The replay accounts with these handles (all of them when none are named); an unknown handle is refused. */
export function replayAccounts(handles?: readonly string[]): readonly Account[] {
  if (!handles || handles.length === 0) return REPLAY_ACCOUNTS;
  const wanted = handles.map((h) => h.trim().replace(/^@/, "").toLowerCase());
  const unknown = wanted.filter((h) => !REPLAY_ACCOUNTS.some((a) => a.username === h));
  if (unknown.length > 0)
    throw new RangeError(
      `no replay account ${unknown.map((h) => `@${h}`).join(", ")}; the replay accounts are ${REPLAY_ACCOUNTS.map((a) => a.username).join(", ")}`,
    );
  return REPLAY_ACCOUNTS.filter((a) => wanted.includes(a.username));
}

export function generateReplayLines(options: {
  seed: string | number;
  count: number;
  start: string;
  end: string;
  /** Only these handles post (default: every replay account). */
  accounts?: readonly string[];
}): ReplayLine[] {
  const accounts = replayAccounts(options.accounts);
  const r = seededRandom(options.seed);
  const start = Date.parse(toIsoMs(options.start));
  const end = Date.parse(toIsoMs(options.end));
  if (!(end > start)) throw new RangeError("replay end must be after start");
  const storyStart = start + (end - start) * (0.5 + 0.2 * r.next());
  const users = new Map(
    accounts.map((a) => [
      a.username,
      { id: userIdFor(a.username), name: a.name, username: a.username } satisfies XUser,
    ]),
  );

  const times = Array.from({ length: options.count }, () => start + Math.floor(r.next() * (end - start))).sort(
    (a, b) => a - b,
  );
  const lines: ReplayLine[] = [];
  times.forEach((ms, i) => {
    const account = r.pick(accounts);
    const user = users.get(account.username)!;
    const id = ((BigInt(ms) - TWITTER_EPOCH_MS) << 22n) | (BigInt(r.int(0, 1023)) << 12n) | BigInt(i % 4096);
    const tweet: XTweet = {
      edit_history_tweet_ids: [String(id)],
      conversation_id: String(id),
      author_id: user.id,
      id: String(id),
      created_at: toIsoMs(ms),
      lang: "en",
      public_metrics: metrics(r, account.reach),
      text: "",
    };
    const parent = lines.length > 5 ? lines[r.int(Math.max(0, lines.length - 40), lines.length - 1)]! : undefined;
    const roll = r.next();
    if (parent && parent.user.username !== user.username && roll < 0.12) {
      tweet.text = `@${parent.user.username} ${r.pick(REPLIES)}`;
      tweet.conversation_id = parent.tweet.conversation_id;
      tweet.referenced_tweets = [{ type: "replied_to", id: parent.tweet.id }];
      tweet.public_metrics = metrics(r, account.reach - 2);
    } else if (parent && parent.user.username !== user.username && !parent.tweet.referenced_tweets && roll < 0.19) {
      // A repost's own metrics are zero; its retweet_count mirrors the original's.
      tweet.text = `RT @${parent.user.username}: ${parent.tweet.text}`.slice(0, 140);
      tweet.referenced_tweets = [{ type: "retweeted", id: parent.tweet.id }];
      tweet.public_metrics = {
        retweet_count: parent.tweet.public_metrics?.retweet_count ?? 0,
        reply_count: 0,
        like_count: 0,
        quote_count: 0,
        bookmark_count: 0,
        impression_count: 0,
      };
    } else if (parent && !parent.tweet.referenced_tweets && roll < 0.23) {
      const link = createHash("sha256").update(`${options.seed}:${id}`).digest("base64url").slice(0, 10);
      tweet.text = `${r.pick(["This.", "Big if true.", "Context matters here:", "The market has not priced this yet."])} https://t.co/${link}`;
      tweet.referenced_tweets = [{ type: "quoted", id: parent.tweet.id }];
    } else {
      const inStory = ms >= storyStart && r.chance(0.45);
      const topic: Topic | "story" = inStory ? "story" : r.pick(account.topics);
      tweet.text = fill(r.pick(TEMPLATES[topic]), r);
      if (inStory) tweet.public_metrics = metrics(r, account.reach + 0.9);
    }
    lines.push({ tweet, user });
  });
  return lines;
}

/** Writes the file (and its folder); returns how many posts it holds. */
export async function writeReplayFile(options: {
  file: string;
  seed: string | number;
  count?: number;
  start: string;
  end?: string;
  accounts?: readonly string[];
}): Promise<{ file: string; count: number }> {
  const end = options.end ?? toIsoMs(Date.parse(toIsoMs(options.start)) + 48 * 3600_000);
  const lines = generateReplayLines({
    seed: options.seed,
    count: options.count ?? 400,
    start: options.start,
    end,
    ...(options.accounts ? { accounts: options.accounts } : {}),
  });
  writeFileAtomic(options.file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return { file: options.file, count: lines.length };
}
