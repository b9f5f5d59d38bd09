-- CreateTable
CREATE TABLE "removals" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "collector" TEXT,
    "reason" TEXT NOT NULL,
    "removed_by" TEXT NOT NULL,
    "removed_by_key_id" UUID,
    "removed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_rows" JSONB NOT NULL,

    CONSTRAINT "removals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "removals_removed_at_idx" ON "removals"("removed_at" DESC);

-- CreateIndex
CREATE INDEX "removals_kind_key_idx" ON "removals"("kind", "key");

