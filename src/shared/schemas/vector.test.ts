// The vector's wire forms without a database: base64 accepted only in its
// canonical alphabet with padding (Buffer alone would skip other characters
// and decode something else), and the bytes read back exactly.
import { describe, expect, it } from "vitest";
import { vectorFromBase64, vectorToBase64, vectorValue } from "./vector";

const values = Float32Array.from([-0, 1e-45, 3.4028234663852886e38, -1.5, 0.1, 1 / 3]);

describe("a vector on the wire", () => {
  it("reads base64 back to the same float32 bits, whatever the decoded length's alignment", () => {
    const wire = vectorToBase64(values);
    expect(wire).toBe(Buffer.from(values.buffer).toString("base64"));
    const back = vectorFromBase64(wire) as Float32Array;
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(values.buffer));
    // A view at an odd offset of a larger buffer encodes only its own bytes.
    const shifted = new Float32Array(new Uint8Array(4 + values.byteLength).buffer, 4, values.length);
    shifted.set(values);
    expect(vectorToBase64(shifted)).toBe(wire);
    expect(vectorFromBase64("")).toEqual(new Float32Array(0));
  });

  it.each(["A===", "AA=A", "====", "AAA-", "AA_A", "AAAA\n", "AAAAA", "AAAAé==="])(
    "refuses %j as base64, saying what to send",
    (wire) => {
      expect(vectorFromBase64(wire)).toMatch(/^is not valid base64 \(send the float32 little-endian bytes/);
    },
  );

  it("parses either form to the same Float32Array and names the first bad value", () => {
    expect(vectorValue.parse(vectorToBase64(values))).toEqual(vectorValue.parse(Array.from(values)));
    const issues = (input: unknown) => vectorValue.safeParse(input).error?.issues.map((i) => i.message);
    expect(issues([1, "2"])).toEqual(["value [1] must be a number"]);
    // Values the contract's BLOB holds are kept, non-finite ones too (an anomaly, not a reject).
    const odd = Float32Array.from([1, Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(vectorValue.parse(vectorToBase64(odd))).toEqual(odd);
    expect(issues([1, 1e39])).toEqual(["value [1] 1e+39 is beyond float32's range (the contract stores float32)"]);
    expect(issues({ 0: 1 })).toEqual(["must be a base64 string of float32 little-endian bytes or an array of numbers"]);
  });
});
