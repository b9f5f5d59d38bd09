-- CreateIndex
CREATE INDEX "reports_status_ids_idx" ON "reports" USING GIN ("status_ids");

-- CreateIndex
CREATE INDEX "pipeline_runs_collector_run_at_idx" ON "pipeline_runs"("collector", "run_at" DESC);

-- CreateIndex
CREATE INDEX "window_summaries_top_status_ids_idx" ON "window_summaries" USING GIN ("top_status_ids");

-- CreateIndex
CREATE INDEX "narrative_shifts_status_ids_idx" ON "narrative_shifts" USING GIN ("status_ids");

-- CreateIndex
CREATE INDEX "ingest_rejects_table_name_natural_key_idx" ON "ingest_rejects"("table_name", "natural_key");

