import { buildOpenApiDocument } from "~/server/openapi/document";

export const dynamic = "force-static";

export function GET() {
  return Response.json(buildOpenApiDocument());
}
