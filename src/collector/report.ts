// The digest a run leaves behind: its best new posts, any narrative shifts
// and the windows it touched, as markdown, citing the posts by status id.
// The id derives from run and kind, so a retried run rewrites its report.
import type { NarrativeShiftInput, ReportInput, WindowSummaryInput } from "./store/sqlite-store";
import { escapeMarkdown, firstSentence } from "./text";
import { stableUuid } from "./util/ids";
import { toIsoMs } from "./util/time";
import { rankPosts, type WindowPost } from "./windows";

export type DigestPost = WindowPost & { repost_count?: number | null; reply_count?: number | null };

/** 'priority' → 'priority-digest', 'discovery' → 'discovery-digest'. */
export function digestKind(mode: string): string {
  return `${mode}-digest`;
}

const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function engagement(p: DigestPost): string {
  const parts = [
    p.like_count != null ? plural(p.like_count, "like") : undefined,
    p.repost_count != null ? plural(p.repost_count, "repost") : undefined,
    p.reply_count != null ? plural(p.reply_count, "reply").replace(/replys$/, "replies") : undefined,
  ].filter(Boolean);
  return parts.length ? ` · ${parts.join(", ")}` : "";
}

export function buildDigestReport(options: {
  runId: string;
  mode: string;
  /** The posts this run found or updated. */
  posts: readonly DigestPost[];
  shifts?: readonly NarrativeShiftInput[];
  windows?: readonly WindowSummaryInput[];
  now: string | Date;
  topN?: number;
}): ReportInput {
  const kind = digestKind(options.mode);
  const at = toIsoMs(options.now);
  const originals = options.posts.filter((p) => !p.is_repost);
  const top = rankPosts(originals).slice(0, options.topN ?? 10);
  const shifts = [...(options.shifts ?? [])].sort(
    (a, b) => b.magnitude - a.magnitude || a.shift_id.localeCompare(b.shift_id),
  );
  const authors = new Set(options.posts.map((p) => p.author_handle)).size;
  const name = options.mode.charAt(0).toUpperCase() + options.mode.slice(1);

  const lines = [
    `# ${name} digest`,
    "",
    `Run ${options.runId} at ${utc(at)}: ${plural(options.posts.length, "post")} from ${plural(authors, "account")}.`,
  ];
  if (top.length) {
    lines.push("", "## Top posts", "");
    top.forEach((p, i) => {
      const score = p.score == null ? "" : ` · score ${p.score.toFixed(2)}`;
      const link = p.url ? ` · [post](${p.url})` : "";
      lines.push(
        `${i + 1}. **@${p.author_handle}**${score}${engagement(p)}${link}`,
        `   > ${escapeMarkdown(firstSentence(p.body, 280))}`,
      );
    });
  } else {
    lines.push("", "No new posts in this run.");
  }
  if (shifts.length) {
    lines.push("", "## Narrative shifts", "");
    for (const s of shifts)
      lines.push(
        `- **${escapeMarkdown(s.topic)}** (magnitude ${s.magnitude.toFixed(2)}): ${escapeMarkdown(s.description)}`,
      );
  }
  if (options.windows?.length) {
    lines.push("", "## Windows", "");
    for (const w of options.windows) lines.push(`- ${w.window_id}: ${plural(w.post_count, "post")}`);
  }

  const cited = [...new Set([...top.map((p) => p.status_id), ...shifts.flatMap((s) => s.status_ids)])];
  const title = `${name} digest, ${utc(at)}: ${plural(options.posts.length, "post")}`;
  return {
    report_id: stableUuid("report", options.runId, kind),
    run_id: options.runId,
    kind,
    title,
    body_md: lines.join("\n"),
    status_ids: cited,
  };
}
