// A loopback HTTP proxy between a client (the collector's ingest client) and
// the real app, for fault injection: it forwards each request, reads the
// app's whole answer, and then either relays it or drops it by destroying
// the client's socket. A dropped answer is the "crash between commit and
// response" case: the app committed and answered, the client never heard.
// The test's hook sees every answer before the decision (and may, e.g.,
// SIGKILL the app there); while the app restarts, `upstream` may return a
// promise and requests wait for it. Every exchange is recorded.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type ProxyAction = "relay" | "drop";

export type Exchange = {
  seq: number;
  method: string;
  /** The tRPC procedure ("ingest.push"), or the path for anything else. */
  procedure: string;
  requestBody: string;
  /** The app's status, when it answered. */
  status: number | null;
  responseBody: string | null;
  outcome: "pending" | "relayed" | "dropped" | "upstream-failed";
  error?: string;
};

export type FaultProxy = {
  port: number;
  baseUrl: string;
  exchanges: Exchange[];
  close: () => Promise<void>;
};

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "proxy-connection",
  "upgrade",
  "te",
  "trailer",
  "content-length",
]);

function forward(port: number, method: string, url: string, headers: http.IncomingHttpHeaders, body: Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const outgoing: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers))
      if (!HOP_BY_HOP.has(name) && value !== undefined) outgoing[name] = value;
    outgoing.host = `127.0.0.1:${port}`;
    // Plain answers: the proxy reads them (a compressed one would be relayed as is anyway).
    delete outgoing["accept-encoding"];
    outgoing["content-length"] = String(body.length);
    const request = http.request(
      { host: "127.0.0.1", port, method, path: url, headers: outgoing, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on("error", reject);
        response.on("close", () => {
          if (!response.complete) reject(new Error("the app closed the connection mid-answer"));
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

export async function startFaultProxy(options: {
  /** The app's port; a promise while it restarts (requests wait for it). */
  upstream: () => number | Promise<number>;
  /** Sees each exchange once the app has answered in full; "drop" destroys the client's socket instead of relaying. */
  onResponse?: (exchange: Exchange) => ProxyAction | Promise<ProxyAction>;
  /** Milliseconds to hold an answer before relaying it (slows the client down). */
  delayMs?: (exchange: Exchange) => number;
}): Promise<FaultProxy> {
  const exchanges: Exchange[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const url = req.url ?? "/";
      const pathname = new URL(url, "http://proxy").pathname;
      const exchange: Exchange = {
        seq: exchanges.length,
        method: req.method ?? "GET",
        procedure: pathname.startsWith("/api/trpc/")
          ? decodeURIComponent(pathname.slice("/api/trpc/".length))
          : pathname,
        requestBody: body.toString("utf8"),
        status: null,
        responseBody: null,
        outcome: "pending",
      };
      exchanges.push(exchange);
      try {
        const port = await options.upstream();
        const answer = await forward(port, exchange.method, url, req.headers, body);
        exchange.status = answer.status;
        exchange.responseBody = answer.body.toString("utf8");
        const action = (await options.onResponse?.(exchange)) ?? "relay";
        if (action === "drop") {
          exchange.outcome = "dropped";
          req.socket.destroy();
          return;
        }
        const delay = options.delayMs?.(exchange) ?? 0;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
        headers["content-length"] = String(answer.body.length);
        res.writeHead(answer.status, headers);
        res.end(answer.body);
        exchange.outcome = "relayed";
      } catch (error) {
        // The app is gone (killed, refusing): the client sees its connection drop.
        exchange.outcome = "upstream-failed";
        exchange.error = (error as Error).message;
        req.socket.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An ingest.push exchange's idempotency key and the app's result, when it answered 200. */
export function ingestPushOf(exchange: Exchange): { key: string; result: Record<string, unknown> | null } | null {
  if (exchange.procedure !== "ingest.push") return null;
  let key: string | undefined;
  try {
    key = (JSON.parse(exchange.requestBody) as { json?: { idempotencyKey?: string } }).json?.idempotencyKey;
  } catch {
    return null;
  }
  if (!key) return null;
  if (exchange.status !== 200 || !exchange.responseBody) return { key, result: null };
  const parsed = JSON.parse(exchange.responseBody) as { result?: { data?: { json?: Record<string, unknown> } } };
  return { key, result: parsed.result?.data?.json ?? null };
}
