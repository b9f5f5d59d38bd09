-- CreateTable
CREATE TABLE "reconcile_results" (
    "id" UUID NOT NULL,
    "collector" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3),
    "checked_at" TIMESTAMPTZ(3) NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "tables" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconcile_results_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reconcile_results_checked_at_idx" ON "reconcile_results"("checked_at" DESC);

-- CreateIndex
CREATE INDEX "reconcile_results_collector_checked_at_idx" ON "reconcile_results"("collector", "checked_at" DESC);

