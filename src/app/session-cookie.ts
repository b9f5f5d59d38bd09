// Whether the session cookie is Secure (and so named `__Host-xm_session`).
// By default it is, except for plain http on a loopback address, where the
// console runs on a developer's own machine and a Secure cookie would never
// be sent back. Behind a TLS proxy, X-Forwarded-Proto says https.
export type CookieSecurity = "auto" | "always" | "never";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function sessionCookieIsSecure(headers: Headers, setting: CookieSecurity): boolean {
  if (setting !== "auto") return setting === "always";
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  if (proto === "https") return true;
  const host = (headers.get("x-forwarded-host") ?? headers.get("host") ?? "").split(",")[0]!.trim();
  const hostname = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return !LOOPBACK_HOSTS.has(hostname.toLowerCase());
}
