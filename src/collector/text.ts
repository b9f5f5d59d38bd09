// Content terms of a post body, shared by window summaries and narrative
// shift detection: lowercase words and adjacent-word pairs, without links,
// mentions, numbers and English function words.

const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does
  doing down during each even every few for from further get gets got had has have having he her here hers herself him himself his how i if in into is
  it its itself just let like make makes many me more most much must my myself new no nor not now of off on once one only or other our ours ourselves
  out over own per rt same say says said she should since so some still such than that the their theirs them themselves then there these they this
  those through to too under until up upon us very via was way we were what when where which while who whom why will with would yet you your yours
  yourself yourselves amp just really today week day time thing things going know think see look lot`.split(/\s+/),
);

/** Lowercase word tokens in order, links and @mentions removed; '#'/'$' prefixes dropped. */
export function words(body: string): string[] {
  const cleaned = body
    .normalize("NFKC")
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/(^|\s)@\w+/g, " ");
  return (cleaned.match(/[#$]?[\p{L}\p{N}][\p{L}\p{N}_'’-]*/gu) ?? []).map((w) =>
    w.replace(/^[#$]/, "").replace(/['’-]+$/, ""),
  );
}

function isContent(word: string): boolean {
  return word.length >= 3 && !STOPWORDS.has(word) && !/^[\p{N}.,%-]+$/u.test(word) && !/^\d/.test(word);
}

/** Distinct content terms of one body: single words and pairs of adjacent content words. */
export function contentTerms(body: string): Set<string> {
  const w = words(body);
  const terms = new Set<string>();
  for (let i = 0; i < w.length; i++) {
    if (!isContent(w[i]!)) continue;
    terms.add(w[i]!);
    if (i + 1 < w.length && isContent(w[i + 1]!)) terms.add(`${w[i]} ${w[i + 1]}`);
  }
  return terms;
}

/** How many of the bodies contain each term (document frequency). */
export function documentFrequencies(bodies: readonly string[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const body of bodies) for (const term of contentTerms(body)) df.set(term, (df.get(term) ?? 0) + 1);
  return df;
}

/** The first sentence, cut to `max` characters on a word boundary. */
export function firstSentence(body: string, max = 200): string {
  const flat = body
    .replace(/https?:\/\/\S+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max / 2))}…`;
}

/** Markdown-safe inline text (no headings, links or emphasis from post bodies). */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, "\\$1");
}

/**
 * The `n` most frequent terms seen at least `minCount` times. A word is left
 * out when a pair containing it is as frequent ("export controls (14)" makes
 * "export (14)" and "controls (14)" redundant).
 */
export function topTerms(
  df: ReadonlyMap<string, number>,
  options: { n: number; minCount?: number },
): [string, number][] {
  const covered = new Set<string>();
  for (const [term, count] of df) {
    if (!term.includes(" ")) continue;
    for (const part of term.split(" ")) if (df.get(part) === count) covered.add(part);
  }
  return [...df]
    .filter(([term, count]) => count >= (options.minCount ?? 2) && !covered.has(term))
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, options.n);
}
