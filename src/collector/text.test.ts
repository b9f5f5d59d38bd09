import { describe, expect, it } from "vitest";
import { contentTerms, documentFrequencies, escapeMarkdown, firstSentence, topTerms, words } from "./text";

describe("text helpers", () => {
  it("extracts content words and adjacent pairs, without links, mentions and numbers", () => {
    expect(words("@policywonk The #AI rule's $NWSM cut 12% https://t.co/x")).toEqual([
      "the",
      "ai",
      "rule's",
      "nwsm",
      "cut",
      "12",
    ]);
    expect([...contentTerms("@x Export controls on inference chips, 800 TOPS https://t.co/abc")]).toEqual([
      "export",
      "export controls",
      "controls",
      "inference",
      "inference chips",
      "chips",
      "tops",
    ]);
  });

  it("counts each term once per post", () => {
    expect(documentFrequencies(["chips chips chips", "chips and rates"]).get("chips")).toBe(2);
  });

  it("drops words covered by an equally frequent pair from the top terms", () => {
    const df = documentFrequencies(["export controls bite", "export controls again", "export rally"]);
    expect(topTerms(df, { n: 5 })).toEqual([
      ["export", 3],
      ["export controls", 2],
    ]);
    const even = documentFrequencies(["export controls bite", "export controls again"]);
    expect(topTerms(even, { n: 5 })).toEqual([["export controls", 2]]);
  });

  it("takes the first sentence and cuts long ones on a word boundary", () => {
    expect(firstSentence("Yields up. Curve steeper. https://t.co/a")).toBe("Yields up.");
    expect(firstSentence("no full stop here")).toBe("no full stop here");
    const cut = firstSentence("word ".repeat(100), 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut.endsWith("word…")).toBe(true);
  });

  it("escapes markdown syntax from post bodies", () => {
    expect(escapeMarkdown("# [click](x) *now* `rm`")).toBe("\\# \\[click\\](x) \\*now\\* \\`rm\\`");
  });
});
