// An embedding's vector arrives as the contract's float32 bytes in base64
// (today's collectors) or as an array of numbers (older ones): both store the
// same row through either merge source (JSON parameter or binary COPY); a
// vector holding NaN or ±Infinity is stored as it is, bit for bit, with an
// anomaly; and a vector that is not a whole float32 vector of `dims` values
// is one item's reject with its reason, never a failed batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { callerFor, makePosts, principalFor } from "../../../test/support/fixtures";
import { randomFromState } from "../../shared/random";
import { hashColumns } from "../../shared/row-hash";
import { vectorToBase64 } from "../../shared/schemas/vector";
import { rowHasherFor } from "../../collector/deep/row-hash";
import { sqlPool } from "../db";
import { buildEmbedding } from "../seed/builders";
import { writeIngestBatch } from "./ingest-transaction";
import { validateBatchItems } from "./validate-items";

let a: TestDatabase;
let b: TestDatabase;
beforeAll(async () => {
  [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => Promise.all([a?.drop(), b?.drop()]));

const posts = makePosts(6, { seed: 31, firstId: 7_000n });
const r = randomFromState(31);
const asNumbers = posts.map((p) => buildEmbedding(r, p, 24));
// Awkward float32 values: negative zero, the smallest subnormal, the largest finite, a value with no short decimal.
asNumbers[0] = { ...asNumbers[0]!, dims: 5, vector: [-0, 1e-45, 3.4028234663852886e38, -1.5, Math.fround(0.1)] };
const asBase64 = asNumbers.map((e) => ({ ...e, vector: vectorToBase64(Float32Array.from(e.vector as number[])) }));

const clock = { now: Date.parse("2026-12-01T00:00:00Z"), maxFutureSkewMs: 300_000 };

async function write(t: TestDatabase, key: string, embeddings: unknown[], copyMinRows: number) {
  const empty = {
    posts: [],
    reports: [],
    pipelineRuns: [],
    watchAccounts: [],
    windowSummaries: [],
    narrativeShifts: [],
  };
  const validated = validateBatchItems({ ...empty, embeddings }, "admin", { collector: "vec-box", clock });
  expect(validated.rejects).toEqual([]);
  const envelope = { idempotencyKey: key, collector: "vec-box", mode: "priority" as const, runId: null, since: null };
  const result = await writeIngestBatch(
    sqlPool(t.db),
    { batch: envelope, requestHash: key, apiKeyId: null, storedRejectsLimit: 10, copyMinRows },
    validated,
  );
  return result.tables.embeddings;
}

async function stored(t: TestDatabase) {
  const { rows } = await sqlPool(t.db).query<Record<string, unknown>>(
    `select status_id, model, dims, vector, vector::text as vector_text, created_at, source_updated_at, anomalies
     from embeddings order by status_id`,
  );
  return rows;
}

describe("an embedding's vector on the wire", () => {
  it("stores the same rows from base64 bytes and from numbers, through JSON and through COPY", async () => {
    // a: numbers through the JSON parameter; b: base64 through binary COPY.
    expect(await write(a, "v-1", asNumbers, Infinity)).toMatchObject({ inserted: 6, rejected: 0 });
    expect(await write(b, "v-1", asBase64, 1)).toMatchObject({ inserted: 6, rejected: 0 });
    const rows = await stored(a);
    expect(await stored(b)).toEqual(rows);
    expect(rows[0]!.vector_text).toBe("{-0,1e-45,3.4028235e+38,-1.5,0.1}");
    // The driver reads real[] as short decimals: as float32 they are the values sent.
    expect((rows[1]!.vector as number[]).map(Math.fround)).toEqual(asNumbers[1]!.vector);

    // The other form, the other way in: nothing to change.
    expect(await write(a, "v-2", asBase64, 1)).toMatchObject({ inserted: 0, updated: 0, unchanged: 6 });
    expect(await write(b, "v-2", asNumbers, Infinity)).toMatchObject({ inserted: 0, updated: 0, unchanged: 6 });
    expect(await stored(a)).toEqual(rows);
    expect(await stored(b)).toEqual(rows);
  });

  it("stores NaN and ±Infinity as the contract's bytes hold them, flagged as an anomaly, and the row hashes agree", async () => {
    // Quiet NaN, the negative NaN x86 arithmetic produces, a NaN with a payload, both infinities, a plain value.
    const bits = [0x7fc00000, 0xffc00000, 0x7fc00001, 0x7f800000, 0xff800000, 0x3f800000];
    const blob = Buffer.alloc(bits.length * 4);
    bits.forEach((b, i) => blob.writeUInt32LE(b, i * 4));
    const [post] = makePosts(1, { seed: 33, firstId: 9_000n });
    const item = { ...buildEmbedding(r, post!, bits.length), vector: blob.toString("base64") };
    // One row: a small batch, which would take the JSON parameter; JSON cannot carry these values.
    expect(await write(a, "v-nan", [item], Infinity)).toMatchObject({ inserted: 1, rejected: 0, anomalies: 1 });
    const { rows } = await sqlPool(a.db).query<{ text: string; hex: string[]; anomalies: string[]; row_hash: string }>(
      `select vector::text as text, array(select encode(float4send(v), 'hex') from unnest(vector) v) as hex,
              anomalies, row_hash::text from embeddings where status_id = $1`,
      [item.status_id],
    );
    expect(rows[0]!.text).toBe("{NaN,NaN,NaN,Infinity,-Infinity,1}");
    expect(rows[0]!.hex).toEqual(bits.map((b) => b.toString(16).padStart(8, "0")));
    expect(rows[0]!.anomalies).toEqual([
      "vector: holds NaN or infinite values (an embedding model never produces them)",
    ]);
    // The collector hashes the SQLite row's bytes; the server's stored hash covers the stored bits: equal.
    const local = rowHasherFor("embeddings")(
      hashColumns.embeddings.map((c) => (c.wire === "vector" ? blob : item[c.wire as keyof typeof item])),
    );
    expect(String(local)).toBe(rows[0]!.row_hash);
  });

  it("rejects a vector of the wrong length or invalid base64, or a number float32 cannot hold, with the reason, and keeps the rest", async () => {
    const admin = await principalFor(a.db, "admin");
    const [good, ...others] = makePosts(7, { seed: 32, firstId: 8_000n }).map((p) => buildEmbedding(r, p, 3));
    const bad = [
      { ...others[0]!, vector: vectorToBase64(Float32Array.from([1, 2])) }, // dims says 3
      { ...others[1]!, vector: "AAAA*AAA" },
      { ...others[2]!, vector: "AAA=" }, // 2 bytes
      { ...others[3]!, vector: [0.5, "1", 1] },
      { ...others[4]!, vector: [0.5, 1e39, 1] },
      { ...others[5]!, vector: "AAAAAAA=" }, // 5 bytes: not whole float32 values
    ];
    const result = await callerFor(a.db, admin).ingest.push({
      idempotencyKey: "v-bad",
      collector: "vec-box",
      mode: "priority",
      embeddings: [good, ...bad],
    });
    expect(result.tables.embeddings).toMatchObject({ inserted: 1, rejected: 6 });
    expect(result.rejects.map((x) => [x.index, x.reason])).toEqual([
      [
        1,
        "invalid embeddings item: vector: must hold dims values (float32 each): send dims equal to the vector's length",
      ],
      [
        2,
        "invalid embeddings item: vector: is not valid base64 (send the float32 little-endian bytes base64-encoded, or an array of numbers)",
      ],
      [
        3,
        "invalid embeddings item: vector: decodes to 2 bytes, not a whole number of float32 values (4 bytes each): re-encode the vector's BLOB",
      ],
      [4, "invalid embeddings item: vector: value [1] must be a number"],
      [5, "invalid embeddings item: vector: value [1] 1e+39 is beyond float32's range (the contract stores float32)"],
      [
        6,
        "invalid embeddings item: vector: decodes to 5 bytes, not a whole number of float32 values (4 bytes each): re-encode the vector's BLOB",
      ],
    ]);
  });
});
