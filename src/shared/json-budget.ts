// Budgets for walking values and text a client sent. Every walker of a client
// value (request hash, reject copier, input decoding) checks one of these
// first, so the work a request can cause is bounded by its size, not by the
// shape an attacker chose (a 4-million-deep array stalls JSON.parse itself
// for seconds; a graph of shared references doubles with every level).

export type JsonBudget = { maxDepth: number; maxNodes: number };

export class JsonBudgetExceeded extends Error {
  override name = "JsonBudgetExceeded";
}

/**
 * True when JSON text nests deeper than `maxDepth`, found without parsing it:
 * one pass over the bytes that skips string contents with a native search.
 * Malformed text is left for the parser to refuse.
 */
export function jsonTextNestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22 /* " */) {
      let end = i + 1;
      for (;;) {
        end = bytes.indexOf(0x22, end);
        if (end < 0) return false;
        let backslashes = 0;
        while (bytes[end - 1 - backslashes] === 0x5c /* \ */) backslashes++;
        if (backslashes % 2 === 0) break;
        end++;
      }
      i = end;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/**
 * Walks a value without recursion and throws JsonBudgetExceeded when it is
 * deeper or has more nodes than the budget. A graph with shared or circular
 * references counts every path, so it exhausts the node budget instead of the
 * process.
 */
export function assertWithinJsonBudget(value: unknown, budget: JsonBudget): void {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop()!;
    if (++nodes > budget.maxNodes) throw new JsonBudgetExceeded(`more than ${budget.maxNodes} values`);
    if (node === null || typeof node !== "object") continue;
    if (depth >= budget.maxDepth) throw new JsonBudgetExceeded(`nested deeper than ${budget.maxDepth} levels`);
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
}
