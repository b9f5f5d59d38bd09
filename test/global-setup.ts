import type { TestProject } from "vitest/node";
import { startTestServer } from "./support/test-server";

declare module "vitest" {
  export interface ProvidedContext {
    testAdminUrl: string;
    testTemplateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide("testAdminUrl", server.adminUrl);
  project.provide("testTemplateDatabase", server.templateDatabase);
  return () => server.stop();
}
