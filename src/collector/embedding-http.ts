// An OpenAI-compatible embeddings endpoint (POST {base}/embeddings), for
// operators who configure one. Never the default: it costs money and network.
import type { Embedder } from "./embedding";
import { HttpError, retryAfterHeader } from "./uplink/http-error";

type EmbeddingsResponse = { data?: { index?: number; embedding?: unknown }[] };

export function createHttpEmbedder(options: {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Asked of models that can shorten their output (text-embedding-3-*). */
  dimensions?: number;
  /** Texts per request. */
  batchSize?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): Embedder {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const batchSize = options.batchSize ?? 96;
  const doFetch = options.fetch ?? fetch;

  async function embedBatch(texts: readonly string[]): Promise<number[][]> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    const body = {
      model: options.model,
      input: texts,
      encoding_format: "float",
      ...(options.dimensions ? { dimensions: options.dimensions } : {}),
    };
    const response = await doFetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 500);
      throw new HttpError(
        `embeddings endpoint ${url} answered ${response.status}: ${detail}`,
        response.status,
        retryAfterHeader(response),
      );
    }
    const payload = (await response.json()) as EmbeddingsResponse;
    const data = payload.data ?? [];
    if (data.length !== texts.length)
      throw new HttpError(
        `embeddings endpoint returned ${data.length} vectors for ${texts.length} texts`,
        response.status,
        undefined,
      );
    // The API may answer out of order; `index` says which input each vector is for.
    const vectors = new Array<number[]>(texts.length);
    data.forEach((entry, position) => {
      const index = entry.index ?? position;
      const embedding = entry.embedding;
      if (!Array.isArray(embedding) || !embedding.every((v) => typeof v === "number" && Number.isFinite(v))) {
        throw new HttpError(
          `embeddings endpoint returned a non-numeric vector at index ${index}`,
          response.status,
          undefined,
        );
      }
      if (!Number.isInteger(index) || index < 0 || index >= texts.length)
        throw new HttpError(`embeddings endpoint returned an unknown index ${index}`, response.status, undefined);
      vectors[index] = embedding as number[];
    });
    // A loop, not .some(): array methods skip the holes we are looking for.
    for (let i = 0; i < vectors.length; i++) {
      if (vectors[i] === undefined)
        throw new HttpError(`embeddings endpoint left input ${i} without a vector`, response.status, undefined);
    }
    return vectors;
  }

  return {
    model: options.model,
    embed: async (texts) => {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedBatch(texts.slice(i, i + batchSize))));
      return out;
    },
  };
}
