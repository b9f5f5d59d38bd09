// Liveness and database check for load balancers and operators: 200 when
// PostgreSQL answers now, 503 otherwise.
import { getDb } from "~/server/db";
import { pingDatabase } from "~/server/health/ping";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const ping = await pingDatabase(getDb());
    return Response.json({
      status: "ok",
      database: ping.database,
      latencyMs: ping.latencyMs,
      serverTime: ping.serverTime,
    });
  } catch {
    return Response.json(
      {
        error: {
          code: "SERVICE_UNAVAILABLE",
          message: "The database does not answer: check that PostgreSQL is running and DATABASE_URL is right.",
        },
      },
      { status: 503, headers: { "retry-after": "5" } },
    );
  }
}
