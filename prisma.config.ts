// Prisma CLI configuration. The JavaScript schema engine with the pg driver
// adapter is the only migration path that works without downloading Prisma's
// native engine (docs/decisions/001-offline-prisma.md).
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { pgConnectionFields } from "./src/server/db-connection";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set: run Prisma through the npm scripts (npm run db:migrate), which resolve the database first.",
      );
    }
    // A short idle timeout lets the CLI exit as soon as it is done instead of
    // waiting for the pool to time its connections out.
    return new PrismaPg({ ...pgConnectionFields(url), idleTimeoutMillis: 200 });
  },
});
