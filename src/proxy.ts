// Pages need a session: without the cookie, go to /login (remembering where
// the operator was going). The (console) layout then checks that the
// session is real; API routes answer 401 themselves.
import { NextResponse, type NextRequest } from "next/server";

// Both names of the session cookie (sessions.ts; not imported: the proxy stays free of server modules).
const SESSION_COOKIES = ["xm_session", "__Host-xm_session"];

export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname + request.nextUrl.search;
  if (!SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const login = new URL("/login", request.url);
    if (request.nextUrl.pathname !== "/") login.searchParams.set("next", path);
    return NextResponse.redirect(login);
  }
  const headers = new Headers(request.headers);
  headers.set("x-xmonitor-path", path);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!api/|_next/|login|favicon\\.ico|favicon\\.svg|robots\\.txt).*)"],
};
