// A stored post's `url` came from a collector: it is only a link when it
// points at X itself over https. Anything else (javascript:, data:, another
// host) is shown as text, never made clickable.
const X_HOSTS = new Set(["x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"]);

export function xPostHref(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" || !X_HOSTS.has(parsed.hostname) || parsed.username || parsed.password) return null;
  return parsed.href;
}
