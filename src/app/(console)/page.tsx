import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import type { Metadata } from "next";
import { getQueryClient, trpc } from "~/trpc/server";
import { OverviewPanel } from "./_components/overview-panel";
import { PageHeader } from "./_components/states";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(trpc.overview.summary.queryOptions());
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <PageHeader title="Overview" />
      <OverviewPanel />
    </HydrationBoundary>
  );
}
