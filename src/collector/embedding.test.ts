import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  centroid,
  cosineSimilarity,
  createHashedEmbedder,
  decodeVector,
  encodeVector,
  hashedNgramVector,
} from "./embedding";
import { createHttpEmbedder } from "./embedding-http";
import { HttpError } from "./uplink/http-error";
import { startFakeHttpServer, type FakeHttpServer } from "../../test/support/fake-http-server";

describe("hashed n-gram embedder", () => {
  it("is deterministic, L2-normalised and of the configured size", async () => {
    const embedder = createHashedEmbedder();
    expect(embedder.model).toBe("local-char-ngram-3-5-d256");
    const [a, b] = await embedder.embed(["Export controls on inference chips", "Export controls on inference chips"]);
    expect(a).toHaveLength(256);
    expect(a).toEqual(b);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 12);
    expect((await createHashedEmbedder({ dims: 64 }).embed(["x y z"]))[0]).toHaveLength(64);
  });

  it("places similar texts closer than unrelated ones", () => {
    const v = (t: string) => hashedNgramVector(t, { dims: 256 });
    const rule = v("Commerce extends export controls to inference chips");
    const similar = v("New export controls reach inference chips, says Commerce");
    const other = v("ERCOT peak demand hit a February record today");
    expect(cosineSimilarity(rule, similar)).toBeGreaterThan(cosineSimilarity(rule, other) + 0.2);
  });

  it("ignores case, spacing and links, and gives zeros for empty text", () => {
    const v = (t: string) => hashedNgramVector(t, { dims: 128 });
    expect(v("Rates  ARE moving https://t.co/abc123")).toEqual(v("rates are moving"));
    expect(v("   ").every((x) => x === 0)).toBe(true);
  });

  it("refuses unusable sizes", () => {
    expect(() => createHashedEmbedder({ dims: 0 })).toThrow(/1..8192/);
  });
});

describe("vector helpers", () => {
  it("round-trips float32 little-endian BLOBs", () => {
    const blob = encodeVector([1, -2, 0.5]);
    expect([...blob]).toEqual([0, 0, 128, 63, 0, 0, 0, 192, 0, 0, 0, 63]);
    expect(decodeVector(blob)).toEqual([1, -2, 0.5]);
    expect(decodeVector(encodeVector([0.1]))[0]).toBeCloseTo(0.1, 7);
    // A view into a larger buffer at an odd offset decodes correctly too.
    const shifted = Buffer.concat([Buffer.from([9]), blob]).subarray(1);
    expect(decodeVector(shifted)).toEqual([1, -2, 0.5]);
    expect(() => decodeVector(Buffer.from([1, 2, 3]))).toThrow(/whole number/);
  });

  it("computes cosine similarity and centroids", () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
    expect(
      centroid([
        [1, 0],
        [0, 1],
      ]),
    ).toEqual([0.5, 0.5]);
    expect(centroid([])).toBeUndefined();
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/differ in length/);
  });
});

describe("OpenAI-compatible HTTP embedder", () => {
  let server: FakeHttpServer;
  beforeAll(async () => {
    server = await startFakeHttpServer();
  });
  afterAll(() => server.close());

  it("posts batches to {base}/embeddings and orders vectors by index", async () => {
    server.requests.length = 0;
    server.handle((req) => {
      const input = (JSON.parse(req.body) as { input: string[] }).input;
      // Answer in reverse order, as the API is allowed to.
      return {
        json: {
          object: "list",
          model: "text-embedding-3-small",
          data: input.map((text, index) => ({ object: "embedding", index, embedding: [text.length, index] })).reverse(),
          usage: { prompt_tokens: 3, total_tokens: 3 },
        },
      };
    });
    const embedder = createHttpEmbedder({
      baseUrl: `${server.baseUrl}/v1/`,
      model: "text-embedding-3-small",
      apiKey: "sk-test",
      dimensions: 2,
      batchSize: 2,
    });
    expect(await embedder.embed(["a", "bb", "ccc"])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    expect(server.requests.map((r) => [r.method, r.url.pathname])).toEqual([
      ["POST", "/v1/embeddings"],
      ["POST", "/v1/embeddings"],
    ]);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      model: "text-embedding-3-small",
      input: ["a", "bb"],
      encoding_format: "float",
      dimensions: 2,
    });
  });

  it("raises an error carrying the status and Retry-After", async () => {
    server.handle(() => ({
      status: 429,
      headers: { "retry-after": "7" },
      json: { error: { message: "Rate limit reached", type: "requests" } },
    }));
    const error = await createHttpEmbedder({ baseUrl: server.baseUrl, model: "m" })
      .embed(["a"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 429,
      retryAfterSeconds: 7,
      message: expect.stringContaining("Rate limit reached"),
    });
  });

  it("rejects answers that do not cover every input", async () => {
    server.handle(() => ({
      json: {
        data: [
          { index: 1, embedding: [1] },
          { index: 1, embedding: [2] },
        ],
      },
    }));
    await expect(createHttpEmbedder({ baseUrl: server.baseUrl, model: "m" }).embed(["a", "b"])).rejects.toThrow(
      /input 0 without a vector/,
    );
    server.handle(() => ({ json: { data: [{ index: 0, embedding: ["x"] }] } }));
    await expect(createHttpEmbedder({ baseUrl: server.baseUrl, model: "m" }).embed(["a"])).rejects.toThrow(
      /non-numeric/,
    );
  });
});
