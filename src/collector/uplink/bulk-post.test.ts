// pushBulk over node:http against a stand-in server: the body arrives as
// sent, and every way a chunk can fail is the HttpError the retry policy and
// the 413 split decide on (status, message, Retry-After; no answer at all is
// status undefined, "cannot reach").
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpError } from "./http-error";
import { isRetryableError } from "./retry";
import { createTrpcCalls } from "./server-calls";

type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;
let handler: Handler = () => {};
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () => handler(request, Buffer.concat(parts), response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const chunk = {
  envelope: { table: "posts" as const, idempotencyKey: "k:posts:abc", collector: "box", mode: "cutover" as const },
  ndjson: Buffer.from('{"status_id":"1","body":"✓"}\n{"status_id":"2"}\n'),
};
const answer = { batchId: "b", idempotencyKey: "k:posts:abc", replayed: false, tables: {}, rejects: [] };

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as HttpError,
  );

describe("pushBulk", () => {
  it("sends the chunk's bytes with its envelope, key and content type, and returns the answer", async () => {
    let seen: { url?: string; headers?: IncomingMessage["headers"]; body?: Buffer } = {};
    handler = (request, body, response) => {
      seen = { url: request.url!, headers: request.headers, body };
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    };
    const calls = createTrpcCalls({ baseUrl: `${baseUrl}/`, apiKey: "xm_secret" });
    expect(await calls.pushBulk(chunk)).toEqual(answer);
    expect(await calls.pushBulk({ ...chunk, ndjson: chunk.ndjson.toString() })).toEqual(answer);
    expect(seen.url).toBe("/api/v1/ingest/bulk?table=posts&idempotencyKey=k%3Aposts%3Aabc&collector=box&mode=cutover");
    expect(seen.headers?.authorization).toBe("Bearer xm_secret");
    expect(seen.headers?.["content-type"]).toBe("application/x-ndjson");
    expect(seen.headers?.["content-length"]).toBe(String(chunk.ndjson.length));
    expect(seen.body?.equals(chunk.ndjson)).toBe(true);
  });

  it("a 413 carries its status and the API's message (the pusher splits on it)", async () => {
    handler = (_request, _body, response) =>
      response.writeHead(413).end(JSON.stringify({ error: { message: "body over 8388608 bytes" } }));
    const error = await failureOf(createTrpcCalls({ baseUrl, apiKey: "k" }).pushBulk(chunk));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(413);
    expect(error.message).toBe("server answered 413: body over 8388608 bytes");
    expect(isRetryableError(error)).toBe(false);
  });

  it("a 503 with Retry-After and a proxy's page: the status, the page's first bytes, the wait", async () => {
    handler = (_request, _body, response) => response.writeHead(503, { "retry-after": "7" }).end("<html>busy</html>");
    const error = await failureOf(createTrpcCalls({ baseUrl, apiKey: "k" }).pushBulk(chunk));
    expect([error.status, error.retryAfterSeconds, error.message]).toEqual([
      503,
      7,
      "server answered 503: <html>busy</html>",
    ]);
    expect(isRetryableError(error)).toBe(true);
  });

  it("no answer within the timeout, an answer cut off, or no server: cannot reach, status undefined, retried", async () => {
    handler = () => {};
    const slow = await failureOf(createTrpcCalls({ baseUrl, apiKey: "k", timeoutMs: 200 }).pushBulk(chunk));
    expect(slow.message).toBe(`cannot reach ${baseUrl} (The operation was aborted due to timeout)`);

    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-length": "1000" }).write('{"batchId":');
      setTimeout(() => response.destroy(), 20);
    };
    const cut = await failureOf(createTrpcCalls({ baseUrl, apiKey: "k" }).pushBulk(chunk));
    expect(cut.message).toMatch(new RegExp(`^cannot reach ${baseUrl} \\(ECONNRESET: `));

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const nobody = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failureOf(createTrpcCalls({ baseUrl: nobody, apiKey: "k" }).pushBulk(chunk));
    expect(refused.message).toMatch(new RegExp(`^cannot reach ${nobody} \\(ECONNREFUSED: `));

    for (const error of [slow, cut, refused]) {
      expect(error.status).toBeUndefined();
      expect(isRetryableError(error)).toBe(true);
    }
  });
});
