// Inputs are plain JSON: superjson's envelope is accepted with `undefined`
// markers only; every other annotation is refused before it costs anything.
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { deserializePlainInput, MAX_UNDEFINED_ANNOTATIONS } from "./plain-input";

const roundTrip = (value: unknown) => deserializePlainInput(JSON.parse(JSON.stringify(superjson.serialize(value))));

describe("deserializePlainInput", () => {
  it("decodes what the collector and the console send, undefined included", () => {
    const input = {
      since: "2026-11-28T00:00:00Z",
      keys: ["1", "2"],
      nested: { "a.b": undefined, list: [1, undefined] },
    };
    expect(roundTrip(input)).toStrictEqual(input);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip([undefined])).toStrictEqual([undefined]);
    expect(roundTrip({ posts: [], mode: "priority" })).toStrictEqual({ posts: [], mode: "priority" });
  });

  it.each([
    ["a Set", { ids: new Set(["1"]) }],
    ["a Date", { since: new Date(0) }],
    ["a Map", { m: new Map([["a", 1]]) }],
    ["a bigint", { n: 1n }],
    ["a RegExp", { r: /x/ }],
  ])("refuses %s with 400", (_name, value) => {
    expect(() => roundTrip(value)).toThrow(expect.objectContaining({ code: "BAD_REQUEST" }));
  });

  it("refuses referential equalities and unknown meta", () => {
    const shared = { k: 1 };
    expect(() => roundTrip({ a: shared, b: shared })).toThrow(/referential equalities/);
    expect(() => deserializePlainInput({ json: {}, meta: { custom: 1 } })).toThrow(/meta.custom/);
    expect(() => deserializePlainInput({ json: {}, meta: "x" })).toThrow(/malformed meta/);
    expect(() => deserializePlainInput({ nope: 1 })).toThrow(/envelope/);
  });

  it("refuses the quadratic Set payload at once, whatever its size", () => {
    // The probe: an array turned into a Set, with 12,000 paths pointing into it.
    const ids = Array.from({ length: 12_000 }, (_, i) => String(i));
    const values: Record<string, unknown> = { ids: ["set", Object.fromEntries(ids.map((i) => [i, ["undefined"]]))] };
    const started = performance.now();
    expect(() => deserializePlainInput({ json: { ids }, meta: { values, v: 1 } })).toThrow(/"set" is not accepted/);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("refuses paths that do not exist or go through reserved keys, and too many markers", () => {
    expect(() => deserializePlainInput({ json: {}, meta: { values: { missing: ["undefined"] } } })).toThrow(
      /does not exist/,
    );
    expect(() => deserializePlainInput({ json: { a: 1 }, meta: { values: { "__proto__.x": ["undefined"] } } })).toThrow(
      /reserved key/,
    );
    const many = Object.fromEntries(
      Array.from({ length: MAX_UNDEFINED_ANNOTATIONS + 1 }, (_, i) => [String(i), ["undefined"]]),
    );
    const json = Array.from({ length: MAX_UNDEFINED_ANNOTATIONS + 1 }, () => null);
    expect(() => deserializePlainInput({ json, meta: { values: many } })).toThrow(/more than/);
    expect(() => deserializePlainInput({ json: {}, meta: { values: { "a\\x": ["undefined"] } } })).toThrow(
      /malformed annotation path/,
    );
  });
});
