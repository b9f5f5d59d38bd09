import { restRoute } from "~/server/http/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute(({ caller, req }) => {
  const since = new URL(req.url).searchParams.get("since");
  return caller.reconcile.counts(since === null ? {} : { since });
});
