// Where to go after sign-in: a path on this site, or "/". The value comes
// from the URL, so it is hostile until proven otherwise: browsers strip TAB,
// CR and LF from URLs and read "\" as "/", which turns "/\t/evil.example"
// into "//evil.example", another origin. So any control character or
// backslash, a leading "//" or an encoded "/%2F" or "/%5C", and anything that
// parses to another origin, sends the operator home instead.
const PROBE_ORIGIN = "http://console.invalid";

function hasControlCharacterOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x5c) return true;
  }
  return false;
}

export function safeNextPath(value: unknown): string {
  if (typeof value !== "string" || value.length > 2048) return "/";
  if (hasControlCharacterOrBackslash(value)) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || /^\/%(2f|5c)/i.test(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== PROBE_ORIGIN) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith("//") || url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  return path;
}
