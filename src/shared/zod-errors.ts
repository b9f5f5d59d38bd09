import type { ZodError } from "zod";

/** The first `max` issues as `path: message`, the path of a root-level issue named `root`. */
export function zodIssueLines(error: ZodError, options: { max: number; root: string }): string[] {
  return error.issues
    .slice(0, options.max)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : options.root}: ${issue.message}`);
}

/** One line an operator can act on: the first five issues with their paths. */
export function summariseZodError(error: ZodError): string {
  const parts = zodIssueLines(error, { max: 5, root: "input" });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `Invalid input: ${parts.join("; ")}${more}`;
}
