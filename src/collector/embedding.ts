// Post embeddings. The default embedder is local and deterministic (hashed
// character n-grams): it needs no network or model download, so every run and
// every test produces the same vectors. A remote OpenAI-compatible embedder
// (embedding-http.ts) is used only when configured.

export type Embedder = {
  /** Stored with each vector; different models' vectors are not comparable. */
  readonly model: string;
  embed(texts: readonly string[]): Promise<number[][]>;
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(text: string, seed = FNV_OFFSET): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  // FNV's low bits mix poorly (bit 0 is just the parity of the input's bit 0s),
  // and we use the low bits for the index: finish with murmur3's avalanche.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function normaliseForNgrams(text: string): string {
  // Links are opaque shortener ids (t.co/...): they would only add noise.
  const cleaned = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned === "" ? "" : ` ${cleaned} `;
}

/** One text → an L2-normalised vector of `dims` values (all zeros for an empty text). */
export function hashedNgramVector(text: string, options: { dims: number; minN?: number; maxN?: number }): number[] {
  const { dims, minN = 3, maxN = 5 } = options;
  const vector = new Float64Array(dims);
  const chars = Array.from(normaliseForNgrams(text));
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      const gram = chars.slice(i, i + n).join("");
      // A second, independently seeded hash picks the sign, so collisions
      // cancel out on average instead of all adding up.
      const sign = fnv1a(gram, 0x9747b28c) >>> 31 ? 1 : -1;
      vector[fnv1a(gram) % dims]! += sign;
    }
  }
  return l2Normalise(Array.from(vector));
}

export function createHashedEmbedder(options: { dims?: number } = {}): Embedder {
  const dims = options.dims ?? 256;
  if (!Number.isInteger(dims) || dims < 1 || dims > 8192)
    throw new RangeError(`embedding dims must be an integer in 1..8192, got ${dims}`);
  return {
    model: `local-char-ngram-3-5-d${dims}`,
    embed: async (texts) => texts.map((text) => hashedNgramVector(text, { dims })),
  };
}

export function l2Normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm === 0 ? [...vector] : vector.map((v) => v / norm);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Mean of the vectors; undefined for none. */
export function centroid(vectors: readonly (readonly number[])[]): number[] | undefined {
  const first = vectors[0];
  if (!first) return undefined;
  const sum = new Array<number>(first.length).fill(0);
  for (const v of vectors) {
    if (v.length !== first.length) throw new RangeError(`vectors differ in length: ${first.length} and ${v.length}`);
    for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
  }
  return sum.map((s) => s / vectors.length);
}

/** The contract's BLOB: float32 values, little-endian, whatever the host's byte order. */
export function encodeVector(vector: ArrayLike<number>): Buffer {
  const buffer = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buffer.writeFloatLE(vector[i]!, i * 4);
  return buffer;
}

export function decodeVector(blob: Uint8Array): number[] {
  if (blob.byteLength % 4 !== 0)
    throw new RangeError(`embedding BLOB of ${blob.byteLength} bytes is not a whole number of float32 values`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Array<number>(blob.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
