// The OpenAPI 3.1 document of the REST routes, generated from the same zod
// schemas the procedures validate with, so it cannot drift from them.
import { z } from "zod";
import { ingestBatchSchema, ingestResultSchema } from "~/shared/schemas/ingest";
import { syncTableNames, syncTables } from "~/shared/schemas/tables";
import { bulkChunkEnvelopeSchema, NDJSON_TYPE } from "~/shared/schemas/bulk";

const toSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
};

const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      {
        description: httpText[s] ?? "Error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );

const httpText: Record<number, string> = {
  400: "Invalid input; the message names the field",
  401: "No key, a malformed header, an unknown or a revoked key",
  403: "The key's role may not do this",
  404: "Not found",
  409: "Idempotency key reused with a different body",
  413: "Body larger than INGEST_MAX_BODY_BYTES",
  429: "Rate limit reached; see Retry-After",
  503: "Database unavailable; retry (see Retry-After)",
};

export function buildOpenApiDocument(options: { serverUrl?: string } = {}) {
  // For the document, the batch's arrays name their item schemas (the server
  // validates them item by item, so the runtime schema keeps them open).
  const documentedBatch = ingestBatchSchema.extend(
    Object.fromEntries(syncTableNames.map((t) => [t, z.array(syncTables[t].schema).optional()])),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "xmonitor ops API",
      version: "1.0.0",
      description: "Ingest, post lookup and reconcile counts. Authenticate with `Authorization: Bearer <api key>`.",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API key (npm run keys -- create)" },
      },
      schemas: {
        Error: errorSchema,
        IngestBatch: toSchema(documentedBatch),
        IngestResult: toSchema(ingestResultSchema),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/ingest": {
        post: {
          operationId: "ingestPush",
          summary: "Push one batch for one collector run (idempotent by idempotencyKey)",
          description:
            "Roles: admin, ingest. The ingest role may not write watchAccounts or embeddings: those items come back rejected. A key bound to one collector may push only for that collector (403 otherwise). Items with a time more than INGEST_MAX_FUTURE_SKEW_SECONDS ahead of the server clock come back rejected.",
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/IngestBatch" } } },
          },
          responses: {
            "200": {
              description: "Per-table inserted/updated/unchanged/rejected counts and the rejects",
              content: { "application/json": { schema: { $ref: "#/components/schemas/IngestResult" } } },
            },
            ...errorResponses(400, 401, 403, 409, 413, 429, 503),
          },
        },
      },
      "/api/v1/ingest/bulk": {
        post: {
          operationId: "ingestBulk",
          summary: "Push one table's chunk of items as NDJSON (the bulk path; idempotent by idempotencyKey)",
          description:
            "One ingest batch with another transport: the same roles, rejects, counts and replay as /api/v1/ingest, merged through COPY. The envelope is in the query string; the body is one item (as in IngestBatch's arrays) per line, at most MAX_ITEMS_PER_TABLE lines and INGEST_MAX_BODY_BYTES bytes. A line that is not JSON comes back rejected with its line number.",
          parameters: Object.entries(toSchema(bulkChunkEnvelopeSchema).properties ?? {}).map(([name, schema]) => ({
            name,
            in: "query",
            required: ["table", "idempotencyKey", "collector", "mode"].includes(name),
            schema,
          })),
          requestBody: { required: true, content: { [NDJSON_TYPE]: { schema: { type: "string" } } } },
          responses: {
            "200": {
              description: "Per-table inserted/updated/unchanged/rejected counts and the rejects",
              content: { "application/json": { schema: { $ref: "#/components/schemas/IngestResult" } } },
            },
            ...errorResponses(400, 401, 403, 409, 413, 429, 503),
          },
        },
      },
      "/api/v1/posts/{statusId}": {
        get: {
          operationId: "getPost",
          summary: "One post as stored on the server",
          description: "Roles: admin, ingest, reader (a collector's cutover validate spot-checks posts here).",
          parameters: [
            { name: "statusId", in: "path", required: true, schema: { type: "string", pattern: "^[0-9]{1,20}$" } },
          ],
          responses: { "200": { description: "The post" }, ...errorResponses(400, 401, 403, 404, 429, 503) },
        },
      },
      "/api/v1/ops/reconcile-counts": {
        get: {
          operationId: "reconcileCounts",
          summary: "Per-table row counts since a time, by each table's source creation time",
          description:
            "Roles: admin, ingest, reader (a collector's reconcile reads it). With `collector`, only the rows that collector pushed and that still stand on the server (rows of posts and embeddings it pushed, counted by the time it pushed); without, every row. A key bound to a collector counts its own rows and gets 403 asking for another's.",
          parameters: [
            { name: "since", in: "query", required: false, schema: { type: "string", format: "date-time" } },
            {
              name: "collector",
              in: "query",
              required: false,
              schema: { type: "string", minLength: 1, maxLength: 100 },
            },
          ],
          responses: {
            "200": {
              description:
                "Counts per table, the collector counted (null: every collector) and the server time they were taken",
            },
            ...errorResponses(400, 401, 403, 429, 503),
          },
        },
      },
    },
  };
}
