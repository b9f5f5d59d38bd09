// tRPC inputs are plain JSON. The wire keeps superjson's envelope
// (`{ json, meta }`), so collectors already deployed and the console send
// what they always sent, but superjson's input annotations are code paths the
// caller chooses: a `meta.values` that turns an array into a Set and points
// thousands of paths into it costs time quadratic in the body (14.6 s for
// 370 KB), and `meta.referentialEqualities` turns a tree into a graph that
// doubles with every level for every walker after it. So the only annotation
// honoured is `undefined` (which JSON cannot say); any other annotation, and
// any referential equality, is refused with a 400 before any work. Outputs
// keep superjson: the console reads Dates from them.
import { TRPCError, type TRPCCombinedDataTransformer } from "@trpc/server";
import superjson from "superjson";

/** More `undefined` markers than any honest input carries (a full ingest batch has none). */
export const MAX_UNDEFINED_ANNOTATIONS = 10_000;
/** Path segments walked to apply them, in total. */
const MAX_PATH_SEGMENTS = 100_000;

function refuse(message: string): never {
  throw new TRPCError({
    code: "BAD_REQUEST",
    message: `Input refused: ${message}. Inputs are plain JSON; send values, not superjson type annotations.`,
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** superjson's path syntax: segments joined by ".", with "\." and "\\" escaped. */
function parsePath(path: string): string[] {
  const segments: string[] = [];
  let segment = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === "\\") {
      const escaped = path[i + 1];
      if (escaped !== "." && escaped !== "\\") refuse("a malformed annotation path");
      segment += escaped;
      i++;
    } else if (char === ".") {
      segments.push(segment);
      segment = "";
    } else {
      segment += char;
    }
  }
  segments.push(segment);
  return segments;
}

type Marker = { path: string[] };

/** The paths superjson marked `undefined`; refuses every other annotation. */
function undefinedMarkers(values: unknown): Marker[] {
  const markers: Marker[] = [];
  let segments = 0;
  const stack: { tree: unknown; base: string[] }[] = [{ tree: values, base: [] }];
  while (stack.length > 0) {
    const { tree, base } = stack.pop()!;
    let children: unknown;
    if (Array.isArray(tree)) {
      if (tree[0] !== "undefined") refuse(`annotation ${JSON.stringify(tree[0]).slice(0, 40)} is not accepted`);
      if (markers.length >= MAX_UNDEFINED_ANNOTATIONS) refuse(`more than ${MAX_UNDEFINED_ANNOTATIONS} annotations`);
      markers.push({ path: base });
      children = tree[1];
      if (children === undefined) continue;
    } else {
      children = tree;
    }
    if (!isPlainObject(children)) refuse("malformed annotations");
    for (const [key, subtree] of Object.entries(children)) {
      const path = [...base, ...parsePath(key)];
      segments += path.length;
      if (segments > MAX_PATH_SEGMENTS) refuse("annotation paths too long");
      stack.push({ tree: subtree, base: path });
    }
  }
  return markers;
}

const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);

function setUndefined(root: unknown, path: string[]): unknown {
  if (path.length === 0) return undefined;
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (forbiddenKeys.has(path[i]!)) refuse("an annotation path through a reserved key");
    node = Array.isArray(node) || isPlainObject(node) ? (node as Record<string, unknown>)[path[i]!] : undefined;
  }
  const last = path[path.length - 1]!;
  if (forbiddenKeys.has(last)) refuse("an annotation path through a reserved key");
  if (!(Array.isArray(node) || isPlainObject(node)) || !Object.hasOwn(node, last)) {
    refuse("an annotation path that does not exist in the input");
  }
  (node as Record<string, unknown>)[last] = undefined;
  return root;
}

/** The `undefined` markers of one call's envelope; refuses anything else in it. */
function markersOf(wire: unknown): { json: unknown; markers: Marker[] } {
  if (!isPlainObject(wire) || !("json" in wire)) refuse("expected superjson's { json } envelope");
  const { json, meta } = wire;
  if (meta === undefined) return { json, markers: [] };
  if (!isPlainObject(meta)) refuse("malformed meta");
  for (const key of Object.keys(meta)) {
    if (key === "referentialEqualities") refuse("referential equalities are not accepted");
    if (key !== "values" && key !== "v") refuse(`meta.${key.slice(0, 40)} is not accepted`);
  }
  return { json, markers: meta.values === undefined ? [] : undefinedMarkers(meta.values) };
}

/**
 * Checks a parsed request body (one envelope, or an object of them for a
 * batch) without decoding it: the route calls this before authentication's
 * database work, rate limits or tRPC see the request.
 */
export function assertPlainInputBody(body: unknown, isBatch: boolean): void {
  if (!isBatch) {
    markersOf(body);
    return;
  }
  if (!isPlainObject(body)) refuse("a batch's input must be an object of calls");
  for (const wire of Object.values(body)) markersOf(wire);
}

/** Decodes one call's input: `{ json, meta? }` with at most `undefined` markers. */
export function deserializePlainInput(wire: unknown): unknown {
  const { json, markers } = markersOf(wire);
  let value = json;
  for (const marker of markers) value = setUndefined(value, marker.path);
  return value;
}

/** superjson both ways for outputs; plain JSON (with `undefined` markers) for inputs. */
export const transformer: TRPCCombinedDataTransformer = {
  input: { serialize: (value: unknown) => superjson.serialize(value), deserialize: deserializePlainInput },
  output: superjson,
};
