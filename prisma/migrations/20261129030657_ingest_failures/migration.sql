-- CreateTable
CREATE TABLE "ingest_failures" (
    "id" BIGSERIAL NOT NULL,
    "collector" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "consecutive" INTEGER NOT NULL,
    "reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_failures_collector_mode_occurred_at_idx" ON "ingest_failures"("collector", "mode", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "ingest_failures_occurred_at_idx" ON "ingest_failures"("occurred_at");

