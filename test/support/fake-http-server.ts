// A local HTTP server on 127.0.0.1 (random port) for tests of HTTP clients:
// each test scripts the answers and inspects the requests. Tests never
// reach the internet.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = { method: string; url: URL; headers: IncomingHttpHeaders; body: string };
export type FakeAnswer = {
  status?: number;
  headers?: Record<string, string | undefined>;
  json?: unknown;
  text?: string;
};
export type FakeHandler = (request: RecordedRequest) => FakeAnswer;

export type FakeHttpServer = {
  baseUrl: string;
  requests: RecordedRequest[];
  handle(handler: FakeHandler): void;
  close(): Promise<void>;
};

export async function startFakeHttpServer(): Promise<FakeHttpServer> {
  let handler: FakeHandler = () => ({ status: 500, text: "no handler" });
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = {
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://127.0.0.1"),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      let answer: FakeAnswer;
      try {
        answer = handler(request);
      } catch (error) {
        answer = { status: 500, text: (error as Error).message };
      }
      const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? "");
      const headers = Object.fromEntries(
        Object.entries(answer.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
      );
      res.writeHead(answer.status ?? 200, {
        "content-type": answer.json !== undefined ? "application/json" : "text/plain",
        ...headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
