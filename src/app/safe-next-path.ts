/** Where to go after sign-in: only a path on this site, never another origin ("//evil", "https://..."). */
export function safeNextPath(value: unknown): string {
  if (
    typeof value !== "string" ||
    !value.startsWith("/") ||
    value.startsWith("//") ||
    value.startsWith("/\\") ||
    value.startsWith("/login")
  )
    return "/";
  return value;
}
