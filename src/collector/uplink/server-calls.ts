// The server's procedures the collector uses, one HTTP call each, over a
// typed tRPC client that imports only the router's type (no server code),
// plus the one REST read the cutover's spot check compares with.
// No retry here: ServerClient (server-client.ts) wraps these under one policy.
// Tests stand in for the server at this level.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import superjson from "superjson";
import type { z } from "zod";
import type { AppRouter } from "~/server/api/root";
import type { CutoverStart, cutoverStepRecordSchema, keysPageSchema, RowsByKeys } from "~/shared/schemas/cutover";
import type { DeepRowHashesInput, DeepSegmentsInput } from "~/shared/schemas/deep-reconcile";
import type { IngestBatch, ReconcileRecord, ReportFailureInput } from "~/shared/schemas/ingest";
import {
  BULK_PATH,
  bulkChunkQuery,
  NDJSON_TYPE,
  type BulkChunkEnvelope,
  type HeldChunk,
  type HeldChunkInput,
} from "~/shared/schemas/bulk";
import { causeChain, HttpError, retryAfterHeader, retryAfterSeconds } from "./http-error";
import { postBytes, PostNotAnswered, type PostAnswer } from "./http-post";

type Outputs = inferRouterOutputs<AppRouter>;
export type PushResult = Outputs["ingest"]["push"];
export type IngestAccess = Outputs["ingest"]["access"];
export type ServerCounts = Outputs["reconcile"]["counts"];
export type DeepSegments = Outputs["reconcile"]["segments"];
export type DeepRowHashes = Outputs["reconcile"]["rowHashes"];
export type ServerRun = Outputs["runs"]["byId"];
export type CutoverRecord = Outputs["cutover"]["start"];
export type RunRemovalPreview = Outputs["runs"]["removalPreview"];
export type RunRemoval = Outputs["runs"]["remove"];
export type ServerKeysPage = Outputs["cutover"]["keysPage"];
/** What the client sends (figures may be omitted: the schema defaults them). */
export type CutoverStepRecordInput = z.input<typeof cutoverStepRecordSchema>;

/** One table's chunk for the bulk path: its envelope and its items as NDJSON (one JSON item per line). */
/** `ndjson`: the body as text, or as its UTF-8 bytes (the cutover's one pass sends what it wrote to the export). */
export type BulkChunk = { envelope: BulkChunkEnvelope; ndjson: string | Uint8Array };

export type ServerCalls = {
  push(batch: IngestBatch): Promise<PushResult>;
  /** POST /api/v1/ingest/bulk: answered like push (one batch on the server). */
  pushBulk(chunk: BulkChunk): Promise<PushResult>;
  /** Whether the server already holds a cutover chunk (count and checksum of this collector's rows in its key range). */
  heldChunk(input: HeldChunkInput): Promise<HeldChunk>;
  reportFailure(input: ReportFailureInput): Promise<unknown>;
  /** This collector's rows when `collector` is given; else every collector's. */
  reconcileCounts(since: string | undefined, collector?: string): Promise<ServerCounts>;
  recordReconcile(input: ReconcileRecord): Promise<unknown>;
  /** Content reconcile: count and checksum of the wanted segments. */
  reconcileSegments(input: DeepSegmentsInput): Promise<DeepSegments>;
  /** Content reconcile: a page of row hashes of the wanted segments, in key order. */
  reconcileRowHashes(input: DeepRowHashesInput): Promise<DeepRowHashes>;
  /** Who this key is: role, prefix and the tables it may write. */
  access(): Promise<IngestAccess>;
  /** At most ROWS_BY_KEYS_MAX_KEYS keys. */
  rowsByKeys(input: RowsByKeys): Promise<Record<string, unknown>[]>;
  /** One page of a table's keys (this collector's, when given), in the server's key order, after `after`. */
  keysPage(input: z.input<typeof keysPageSchema>): Promise<ServerKeysPage>;
  runById(runId: string, collector?: string): Promise<ServerRun>;
  cutoverStart(input: CutoverStart): Promise<CutoverRecord>;
  cutoverRecordStep(input: CutoverStepRecordInput): Promise<unknown>;
  /** GET /api/v1/posts/{statusId}: the REST view of a post, or null on 404 (the spot check compares both doors). */
  postViewRest(statusId: string): Promise<Record<string, unknown> | null>;
  /** Admin only: what removing a run would take and leave. */
  runRemovalPreview(runId: string): Promise<RunRemovalPreview>;
  /** Admin only: removes a run made by hand on the server, recorded with the reason. */
  removeRun(input: { runId: string; reason: string }): Promise<RunRemoval>;
};

export type ServerAddress = { baseUrl: string; apiKey: string; fetch?: typeof fetch; timeoutMs?: number };

/** A tRPC failure as an HttpError: the status and Retry-After when the server answered, else why it could not be reached. */
function toHttpError(error: unknown, baseUrl: string): HttpError {
  if (error instanceof TRPCClientError) {
    const data = error.data as { httpStatus?: number; retryAfterSeconds?: number } | undefined;
    const response = error.meta?.response as Response | undefined;
    const status = data?.httpStatus ?? response?.status;
    if (status !== undefined) {
      const retryAfter = data?.retryAfterSeconds ?? (response ? retryAfterHeader(response) : undefined);
      return new HttpError(`server answered ${status}: ${error.message}`, status, retryAfter);
    }
    const links = [...causeChain(error)];
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    const code = links.map((l) => text(l.code)).find(Boolean) ?? text(links[1]?.name) ?? "network error";
    const message = text(links[1]?.message) ?? error.message;
    return new HttpError(`cannot reach ${baseUrl} (${code}): ${message}`, undefined, undefined);
  }
  return new HttpError(`cannot reach ${baseUrl}: ${(error as Error).message}`, undefined, undefined);
}

async function getPostViewRest(options: ServerAddress, statusId: string): Promise<Record<string, unknown> | null> {
  const url = `${options.baseUrl.replace(/\/$/, "")}/api/v1/posts/${encodeURIComponent(statusId)}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${options.apiKey}` },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new HttpError(`cannot reach ${options.baseUrl}: ${(error as Error).message}`, undefined, undefined);
  }
  if (response.status === 404) return null;
  if (!response.ok)
    throw new HttpError(
      `GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
      response.status,
      retryAfterHeader(response),
    );
  return (await response.json()) as Record<string, unknown>;
}

/** The bulk chunk's answer through a fetch the caller gave (tests' stand-ins), in postBytes' shape. */
async function postViaFetch(
  fetchImpl: typeof fetch,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  timeoutMs: number,
): Promise<PostAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: "POST",
      headers,
      // A Buffer from Buffer.from/allocUnsafe is backed by a plain ArrayBuffer (never a shared one).
      body: body as string | Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new PostNotAnswered(error);
  }
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after") ?? undefined,
    text: await response.text(),
  };
}

async function postBulkChunk(options: ServerAddress, chunk: BulkChunk, timeoutMs: number): Promise<PushResult> {
  const url = new URL(`${options.baseUrl.replace(/\/$/, "")}${BULK_PATH}?${bulkChunkQuery(chunk.envelope)}`);
  const headers = { authorization: `Bearer ${options.apiKey}`, "content-type": NDJSON_TYPE };
  let answer: PostAnswer;
  try {
    answer = options.fetch
      ? await postViaFetch(options.fetch, url, headers, chunk.ndjson, timeoutMs)
      : await postBytes(url, headers, chunk.ndjson, timeoutMs);
  } catch (error) {
    if (!(error instanceof PostNotAnswered)) throw error;
    const code = [...causeChain(error)].map((l) => l.code).find((c) => typeof c === "string");
    const reason = `${typeof code === "string" ? `${code}: ` : ""}${error.message}`;
    throw new HttpError(`cannot reach ${options.baseUrl} (${reason})`, undefined, undefined);
  }
  const { status, text } = answer;
  if (status < 200 || status > 299) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // Not the API's error shape (a proxy's page): its first bytes say enough.
    }
    throw new HttpError(`server answered ${status}: ${message}`, status, retryAfterSeconds(answer.retryAfter));
  }
  return JSON.parse(text) as PushResult;
}

export function createTrpcCalls(options: ServerAddress): ServerCalls {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${options.baseUrl.replace(/\/$/, "")}/api/trpc`,
        transformer: superjson,
        // Queries go as POST too: a spot check's 1,000 status ids would not fit in a URL.
        methodOverride: "POST",
        headers: { authorization: `Bearer ${options.apiKey}` },
        fetch: (url, init) =>
          (options.fetch ?? fetch)(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) }),
      }),
    ],
  });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toHttpError(error, options.baseUrl);
    }
  };
  return {
    push: (batch) => call(() => trpc.ingest.push.mutate(batch)),
    pushBulk: (chunk) => postBulkChunk(options, chunk, timeoutMs),
    heldChunk: (input) => call(() => trpc.ingest.held.query(input)),
    reportFailure: (input) => call(() => trpc.ingest.reportFailure.mutate(input)),
    reconcileCounts: (since, collector) =>
      call(() => trpc.reconcile.counts.query({ ...(since ? { since } : {}), ...(collector ? { collector } : {}) })),
    recordReconcile: (input) => call(() => trpc.reconcile.record.mutate(input)),
    reconcileSegments: (input) => call(() => trpc.reconcile.segments.query(input)),
    reconcileRowHashes: (input) => call(() => trpc.reconcile.rowHashes.query(input)),
    access: () => call(() => trpc.ingest.access.query()),
    rowsByKeys: (input) => call(() => trpc.cutover.rowsByKeys.query(input)),
    keysPage: (input) => call(() => trpc.cutover.keysPage.query(input)),
    runById: (runId, collector) => call(() => trpc.runs.byId.query({ runId, ...(collector ? { collector } : {}) })),
    cutoverStart: (input) => call(() => trpc.cutover.start.mutate(input)),
    cutoverRecordStep: (input) => call(() => trpc.cutover.recordStep.mutate(input)),
    postViewRest: (statusId) => getPostViewRest(options, statusId),
    runRemovalPreview: (runId) => call(() => trpc.runs.removalPreview.query({ runId })),
    removeRun: (input) => call(() => trpc.runs.remove.mutate(input)),
  };
}
