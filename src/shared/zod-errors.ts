import type { ZodError } from "zod";

/** One line an operator can act on: the first five issues with their paths. */
export function summariseZodError(error: ZodError): string {
  const parts = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "input"}: ${issue.message}`);
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `Invalid input: ${parts.join("; ")}${more}`;
}
