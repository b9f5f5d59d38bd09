/** The message of whatever was thrown: a rejection may carry no Error at all (undefined, a string). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined || error === null) return "failed without an error message (see the lines above)";
  return typeof error === "string" ? error : JSON.stringify(error);
}
