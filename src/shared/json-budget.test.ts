import { describe, expect, it } from "vitest";
import { assertWithinJsonBudget, JsonBudgetExceeded, jsonTextNestsDeeperThan } from "./json-budget";
import { canonicalJson } from "./canonical-json";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("jsonTextNestsDeeperThan", () => {
  it("counts brackets outside strings only", () => {
    expect(jsonTextNestsDeeperThan(bytes('{"a":[[1]]}'), 3)).toBe(false);
    expect(jsonTextNestsDeeperThan(bytes('{"a":[[[1]]]}'), 3)).toBe(true);
    expect(jsonTextNestsDeeperThan(bytes(JSON.stringify({ s: "[[[[[[[{{{{" })), 2)).toBe(false);
    // Escaped quotes and backslashes do not end a string early.
    expect(jsonTextNestsDeeperThan(bytes(JSON.stringify({ s: 'x\\" [[[[[ \\\\', t: [[1]] })), 3)).toBe(false);
    expect(jsonTextNestsDeeperThan(bytes(JSON.stringify({ s: "\\", t: [[[1]]] })), 3)).toBe(true);
  });

  it("refuses 8 MiB of brackets in milliseconds (JSON.parse takes seconds on it)", () => {
    const hostile = new Uint8Array(8 * 1024 * 1024).fill(0x5b);
    const started = performance.now();
    expect(jsonTextNestsDeeperThan(hostile, 100)).toBe(true);
    expect(performance.now() - started).toBeLessThan(20);
  });
});

describe("assertWithinJsonBudget", () => {
  it("passes values within the budget and refuses deeper or larger ones", () => {
    expect(() => assertWithinJsonBudget({ a: [1, { b: 2 }] }, { maxDepth: 3, maxNodes: 10 })).not.toThrow();
    expect(() => assertWithinJsonBudget({ a: [1, { b: [] }] }, { maxDepth: 3, maxNodes: 10 })).toThrow(
      JsonBudgetExceeded,
    );
    expect(() => assertWithinJsonBudget(Array(11).fill(0), { maxDepth: 3, maxNodes: 10 })).toThrow(/more than 10/);
  });

  it("stops a graph of shared references that doubles per level, and a cycle", () => {
    let graph: unknown = { leaf: true };
    for (let i = 0; i < 60; i++) graph = { left: graph, right: graph };
    expect(() => canonicalJson(graph)).toThrow(JsonBudgetExceeded);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(JsonBudgetExceeded);
  });
});
