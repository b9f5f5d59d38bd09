import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import type { Metadata } from "next";
import { getQueryClient, trpc } from "~/trpc/server";
import { PageHeader } from "../_components/states";
import { HealthTimeline } from "./health-timeline";

export const metadata: Metadata = { title: "Health" };
export const dynamic = "force-dynamic";

const HOURS = 48;

export default async function HealthPage() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(trpc.health.timeline.queryOptions({ hours: HOURS }));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <PageHeader title="Ingest health">
        Last {HOURS} hours per collector and mode: ingest batches, failed runs, the current failure episode and earlier
        ones.
      </PageHeader>
      <HealthTimeline hours={HOURS} />
    </HydrationBoundary>
  );
}
