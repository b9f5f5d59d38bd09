// Every page gets its Content-Security-Policy here, with a nonce of its own
// (Next puts it on the scripts it renders, read from the request's copy of
// the header); everything else gets next.config.js's policy without one.
// Pages other than /login also need a session: without the cookie, go to
// /login (remembering where the operator was going). The (console) layout
// then checks that the session is real; API routes answer 401 themselves.
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "~/shared/content-security-policy.js";

// Both names of the session cookie (sessions.ts; not imported: the proxy stays free of server modules).
const SESSION_COOKIES = ["xm_session", "__Host-xm_session"];

const isLoginPage = (pathname: string) => pathname === "/login" || pathname.startsWith("/login/");

export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname + request.nextUrl.search;
  if (!isLoginPage(request.nextUrl.pathname) && !SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const login = new URL("/login", request.url);
    if (request.nextUrl.pathname !== "/") login.searchParams.set("next", path);
    return NextResponse.redirect(login);
  }
  const policy = contentSecurityPolicy({
    nonce: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
    dev: process.env.NODE_ENV !== "production",
  });
  const headers = new Headers(request.headers);
  headers.set("x-xmonitor-path", path);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

// Not API routes (their bodies must reach the route untouched), Next's static files or public files:
// next.config.js gives those the policy without a nonce (STATIC_POLICY_PATHS there lists the same).
export const config = {
  matcher: ["/((?!api/|_next/|favicon\\.ico|favicon\\.svg|robots\\.txt).*)"],
};
