import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import { getQueryClient, trpc } from "~/trpc/server";
import { OverviewPanel } from "./_components/overview-panel";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(trpc.overview.summary.queryOptions());
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <h1 className="mb-4 text-xl font-semibold">Overview</h1>
      <OverviewPanel />
    </HydrationBoundary>
  );
}
