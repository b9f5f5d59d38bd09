// The collector's only way to the server: a typed tRPC client over HTTP
// with its ingest key. Imports the router's type, never server code.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "~/server/api/root";
import type { SyncTable } from "~/shared/schemas/tables";
import type { IngestBatch, IngestResult, ReconcileRecord, ReportFailureInput } from "~/shared/schemas/ingest";
import type { z } from "zod";
import type { CutoverStart, cutoverStepRecordSchema } from "~/shared/schemas/cutover";

/** A failed call, with what the retry policy needs to decide. */
export class IngestCallError extends Error {
  override name = "IngestCallError";
  constructor(
    message: string,
    /** HTTP status; undefined when the server could not be reached at all. */
    readonly status: number | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }
}

export type ServerCounts = Awaited<ReturnType<ReturnType<typeof createTrpc>["reconcile"]["counts"]["query"]>>;

function createTrpc(options: { baseUrl: string; apiKey: string; fetch?: typeof fetch; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return createTRPCClient<AppRouter>({
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
}

function toCallError(error: unknown, baseUrl: string): IngestCallError {
  if (error instanceof TRPCClientError) {
    const data = error.data as { httpStatus?: number; retryAfterSeconds?: number } | undefined;
    const response = error.meta?.response as Response | undefined;
    const status = data?.httpStatus ?? response?.status;
    if (status !== undefined) {
      const header = response?.headers.get("retry-after");
      const retryAfter = data?.retryAfterSeconds ?? (header ? Number(header) : undefined);
      return new IngestCallError(
        `server answered ${status}: ${error.message}`,
        status,
        Number.isFinite(retryAfter) ? retryAfter : undefined,
      );
    }
    const cause = error.cause as (Error & { cause?: { code?: string } }) | undefined;
    const code = cause?.cause?.code ?? cause?.name ?? "network error";
    return new IngestCallError(
      `cannot reach ${baseUrl} (${code}): ${cause?.message ?? error.message}`,
      undefined,
      undefined,
    );
  }
  return new IngestCallError(`cannot reach ${baseUrl}: ${(error as Error).message}`, undefined, undefined);
}

export type IngestApi = {
  push(batch: IngestBatch): Promise<IngestResult>;
  reportFailure(input: ReportFailureInput): Promise<void>;
  reconcileCounts(since: string | undefined): Promise<ServerCounts>;
  /** The tables this key may write (the others would come back rejected). */
  writableTables(): Promise<SyncTable[]>;
  /** Stored rows by natural key, in the item shape (spot checks). */
  rowsByKeys(input: { table: SyncTable; keys: string[] }): Promise<Record<string, unknown>[]>;
  recordReconcile(input: ReconcileRecord): Promise<void>;
  /** Who this key is: role, prefix and the tables it may write. */
  access(): Promise<IngestAccess>;
  /** The report ids the server holds for a run (runs.byId), or null when it has no such run. */
  reportsOfRun(runId: string): Promise<string[] | null>;
  /** Opens the server's record of one cutover. */
  cutoverStart(input: CutoverStart): Promise<{ id: string }>;
  /** Adds or replaces one step (by name and pass) of a cutover's record. */
  cutoverRecordStep(input: CutoverStepRecordInput): Promise<void>;
};

/** What the client sends (figures may be omitted: the schema defaults them). */
export type CutoverStepRecordInput = z.input<typeof cutoverStepRecordSchema>;

export type IngestAccess = { role: string; keyPrefix: string; writableTables: SyncTable[] };

export function createIngestApi(options: {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): IngestApi {
  const trpc = createTrpc(options);
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toCallError(error, options.baseUrl);
    }
  };
  return {
    push: (batch) => call(() => trpc.ingest.push.mutate(batch)),
    reportFailure: async (input) => {
      await call(() => trpc.ingest.reportFailure.mutate(input));
    },
    reconcileCounts: (since) => call(() => trpc.reconcile.counts.query(since ? { since } : {})),
    rowsByKeys: (input) => call(() => trpc.cutover.rowsByKeys.query(input)),
    writableTables: async () => (await call(() => trpc.ingest.access.query())).writableTables,
    recordReconcile: async (input) => {
      await call(() => trpc.reconcile.record.mutate(input));
    },
    access: () => call(() => trpc.ingest.access.query()),
    reportsOfRun: async (runId) => {
      try {
        return (await call(() => trpc.runs.byId.query({ runId }))).reports.map((r) => r.reportId);
      } catch (error) {
        if (error instanceof IngestCallError && error.status === 404) return null;
        throw error;
      }
    },
    cutoverStart: (input) => call(() => trpc.cutover.start.mutate(input)),
    cutoverRecordStep: async (input) => {
      await call(() => trpc.cutover.recordStep.mutate(input));
    },
  };
}
