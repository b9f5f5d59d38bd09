// One POST of a body the caller already holds as bytes, over node:http(s)
// with a keep-alive agent. fetch copies a Uint8Array body before sending it
// (2 MiB per bulk chunk, twice: the copy and its stream's), which the
// cutover's one pass paid on every chunk; here the socket writes the
// caller's buffer as it is. The body must not change until the promise
// settles (the one pass hands a chunk's buffer back only once answered).
import http from "node:http";
import https from "node:https";

export type PostAnswer = {
  status: number;
  /** The Retry-After header as sent, if any. */
  retryAfter: string | undefined;
  text: string;
};

/** A failure before the whole answer arrived (no connection, reset, timeout); `cause` is the transport's error. */
export class PostNotAnswered extends Error {
  override name = "PostNotAnswered";
  readonly code: string | undefined;
  constructor(override readonly cause: unknown) {
    super((cause as Error).message);
    const code = (cause as { code?: unknown }).code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

// Connections kept between chunks, as fetch's pool does: one per request in flight.
const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

/**
 * POSTs `body` to `url`; resolves with any answer the server gives (any
 * status), rejects with PostNotAnswered when none arrived within
 * `timeoutMs` (the whole exchange, body of the answer included) or the
 * connection failed.
 */
export function postBytes(
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array | string,
  timeoutMs: number,
): Promise<PostAnswer> {
  const transport = url.protocol === "https:" ? https : http;
  const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new PostNotAnswered(error));
    };
    const timer = setTimeout(
      () => fail(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
      timeoutMs,
    );
    const request = transport.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(bytes.byteLength) } },
      (response) => {
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.on("error", fail);
        response.on("close", () => {
          if (!response.complete)
            fail(Object.assign(new Error("the connection closed before the whole answer"), { code: "ECONNRESET" }));
        });
        response.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const retryAfter: string | undefined = response.headers["retry-after"];
          resolve({
            status: response.statusCode ?? 0,
            retryAfter,
            text: Buffer.concat(parts).toString("utf8"),
          });
        });
      },
    );
    request.on("error", fail);
    request.end(bytes);
  });
}
