import { restRoute } from "~/server/http/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute(({ caller, req }) => {
  const params = new URL(req.url).searchParams;
  const since = params.get("since");
  const collector = params.get("collector");
  return caller.reconcile.counts({
    ...(since === null ? {} : { since }),
    ...(collector === null ? {} : { collector }),
  });
});
