import { restRoute } from "~/server/http/rest";

export const dynamic = "force-dynamic";

export const GET = restRoute<{ statusId: string }>(({ caller, params }) =>
  caller.posts.byStatusId({ statusId: params.statusId }),
);
