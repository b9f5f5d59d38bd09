// The subset of X's search syntax the replay source understands, so the same
// discovery queries work against a recorded file and against the X API:
//   words (all must match), "exact phrases", OR, ( ), -negation,
//   #hashtag, $cashtag, @mention, from:handle, lang:xx,
//   is:retweet, is:reply, is:quote, has:links.
// Words match whole tokens, case-insensitively; a plain word also matches
// its #hashtag and $cashtag forms. Anything else is refused with an error,
// so a query never silently matches nothing.
import type { SourcePost } from "./post-source";

export type QueryPredicate = (post: SourcePost) => boolean;

type Token = { kind: "lparen" | "rparen" | "or" | "not" } | { kind: "term"; text: string; quoted: boolean };

function lex(query: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|(-)?"([^"]*)"|(-)?([^\s()"]+))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(query)) !== null && m[0] !== "") {
    last = re.lastIndex;
    if (m[1]) tokens.push({ kind: "lparen" });
    else if (m[2]) tokens.push({ kind: "rparen" });
    else if (m[4] !== undefined) {
      if (m[3]) tokens.push({ kind: "not" });
      tokens.push({ kind: "term", text: m[4], quoted: true });
    } else if (m[6] !== undefined) {
      if (m[6] === "OR" && !m[5]) tokens.push({ kind: "or" });
      else {
        if (m[5]) tokens.push({ kind: "not" });
        tokens.push({ kind: "term", text: m[6], quoted: false });
      }
    }
  }
  if (query.slice(last).trim() !== "")
    throw new SyntaxError(`cannot read the search query near "${query.slice(last).trim()}" (unbalanced quote?)`);
  return tokens;
}

/** Lowercase tokens; '#', '$' and '@' stay attached so hashtags are distinct from words. */
export function tokenise(text: string): string[] {
  return text.toLowerCase().match(/[#$@]?[\p{L}\p{N}_]+(?:['’][\p{L}]+)?/gu) ?? [];
}

function termPredicate(text: string, quoted: boolean): QueryPredicate {
  if (quoted) {
    const phrase = tokenise(text).map((t) => t.replace(/^[#$]/, ""));
    if (phrase.length === 0) return () => true;
    return (post) => {
      const body = tokenise(post.body).map((t) => t.replace(/^[#$]/, ""));
      return body.some((_, i) => phrase.every((p, j) => body[i + j] === p));
    };
  }
  const operator = /^([a-z_]+):(.+)$/i.exec(text);
  if (operator) {
    const [, name, value] = operator as unknown as [string, string, string];
    const v = value.toLowerCase();
    switch (name.toLowerCase()) {
      case "from":
        return (post) => post.author_handle === v.replace(/^@/, "");
      case "lang":
        return (post) => post.lang === v;
      case "is":
        if (v === "retweet") return (post) => post.is_repost;
        if (v === "reply") return (post) => post.is_reply;
        if (v === "quote") return (post) => post.raw_json.includes('"type":"quoted"');
        break;
      case "has":
        if (v === "links") return (post) => /https?:\/\//.test(post.body);
        break;
    }
    throw new SyntaxError(`the replay source does not support the search operator "${text}"`);
  }
  const word = text.toLowerCase();
  const forms = /^[#$@]/.test(word) ? [word] : [word, `#${word}`, `$${word}`];
  return (post) => tokenise(post.body).some((t) => forms.includes(t));
}

/** Parses `query` once; the predicate then tests posts. */
export function compileQuery(query: string): QueryPredicate {
  const tokens = lex(query);
  let pos = 0;

  // or := and ("OR" and)* ; and := unary+ ; unary := "-"? primary ; primary := "(" or ")" | term
  function parseOr(): QueryPredicate {
    const parts = [parseAnd()];
    while (tokens[pos]?.kind === "or") {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0]! : (post) => parts.some((p) => p(post));
  }
  function parseAnd(): QueryPredicate {
    const parts: QueryPredicate[] = [];
    while (pos < tokens.length && tokens[pos]!.kind !== "or" && tokens[pos]!.kind !== "rparen")
      parts.push(parseUnary());
    if (parts.length === 0) throw new SyntaxError(`empty clause in search query "${query}"`);
    return parts.length === 1 ? parts[0]! : (post) => parts.every((p) => p(post));
  }
  function parseUnary(): QueryPredicate {
    if (tokens[pos]?.kind === "not") {
      pos++;
      const inner = parsePrimary();
      return (post) => !inner(post);
    }
    return parsePrimary();
  }
  function parsePrimary(): QueryPredicate {
    const token = tokens[pos++];
    if (!token) throw new SyntaxError(`search query "${query}" ends too early`);
    if (token.kind === "lparen") {
      const inner = parseOr();
      if (tokens[pos++]?.kind !== "rparen") throw new SyntaxError(`missing ")" in search query "${query}"`);
      return inner;
    }
    if (token.kind === "term") return termPredicate(token.text, token.quoted);
    throw new SyntaxError(`unexpected "${token.kind === "rparen" ? ")" : token.kind}" in search query "${query}"`);
  }

  const predicate = parseOr();
  if (pos < tokens.length) throw new SyntaxError(`unexpected ")" in search query "${query}"`);
  return predicate;
}
