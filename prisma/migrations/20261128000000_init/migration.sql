-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "api_key_role" AS ENUM ('admin', 'ingest', 'reader');

-- CreateTable
CREATE TABLE "posts" (
    "status_id" TEXT NOT NULL,
    "author_handle" TEXT NOT NULL,
    "author_id" TEXT,
    "body" TEXT NOT NULL,
    "lang" TEXT,
    "url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "collected_at" TIMESTAMPTZ(3) NOT NULL,
    "mode" TEXT NOT NULL,
    "run_id" TEXT,
    "like_count" INTEGER,
    "repost_count" INTEGER,
    "reply_count" INTEGER,
    "quote_count" INTEGER,
    "view_count" BIGINT,
    "is_reply" BOOLEAN NOT NULL DEFAULT false,
    "is_repost" BOOLEAN NOT NULL DEFAULT false,
    "conversation_id" TEXT,
    "score" DOUBLE PRECISION,
    "raw_json" TEXT,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "posts_pkey" PRIMARY KEY ("status_id")
);

-- CreateTable
CREATE TABLE "reports" (
    "report_id" TEXT NOT NULL,
    "run_id" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body_md" TEXT NOT NULL,
    "status_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("report_id")
);

-- CreateTable
CREATE TABLE "pipeline_runs" (
    "run_id" TEXT NOT NULL,
    "collector" TEXT,
    "mode" TEXT NOT NULL,
    "run_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "fetched_count" INTEGER NOT NULL DEFAULT 0,
    "new_count" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_runs_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "watch_accounts" (
    "handle" TEXT NOT NULL,
    "user_id" TEXT,
    "tier" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "note" TEXT,
    "added_at" TIMESTAMPTZ(3) NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "watch_accounts_pkey" PRIMARY KEY ("handle")
);

-- CreateTable
CREATE TABLE "embeddings" (
    "status_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "vector" REAL[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embeddings_pkey" PRIMARY KEY ("status_id")
);

-- CreateTable
CREATE TABLE "window_summaries" (
    "window_id" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "post_count" INTEGER NOT NULL,
    "summary_md" TEXT NOT NULL,
    "top_status_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "window_summaries_pkey" PRIMARY KEY ("window_id")
);

-- CreateTable
CREATE TABLE "narrative_shifts" (
    "shift_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL,
    "window_id" TEXT,
    "magnitude" DOUBLE PRECISION NOT NULL,
    "description" TEXT NOT NULL,
    "status_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "narrative_shifts_pkey" PRIMARY KEY ("shift_id")
);

-- CreateTable
CREATE TABLE "ingest_batches" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "api_key_id" UUID,
    "collector" TEXT NOT NULL,
    "run_id" TEXT,
    "mode" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "inserted_count" INTEGER NOT NULL DEFAULT 0,
    "updated_count" INTEGER NOT NULL DEFAULT 0,
    "unchanged_count" INTEGER NOT NULL DEFAULT 0,
    "rejected_count" INTEGER NOT NULL DEFAULT 0,
    "table_counts" JSONB NOT NULL DEFAULT '{}',
    "result" JSONB,

    CONSTRAINT "ingest_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_rejects" (
    "id" BIGSERIAL NOT NULL,
    "batch_id" UUID,
    "table_name" TEXT NOT NULL,
    "natural_key" TEXT,
    "reason" TEXT NOT NULL,
    "raw_item" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_rejects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "api_key_role" NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collector_health" (
    "collector" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "last_success_at" TIMESTAMPTZ(3),
    "last_failure_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "collector_health_pkey" PRIMARY KEY ("collector","mode")
);

-- CreateIndex
CREATE INDEX "posts_collected_at_idx" ON "posts"("collected_at");

-- CreateIndex
CREATE INDEX "posts_created_at_idx" ON "posts"("created_at" DESC);

-- CreateIndex
CREATE INDEX "posts_author_handle_created_at_idx" ON "posts"("author_handle", "created_at" DESC);

-- CreateIndex
CREATE INDEX "posts_run_id_idx" ON "posts"("run_id");

-- CreateIndex
CREATE INDEX "posts_ingested_at_idx" ON "posts"("ingested_at");

-- CreateIndex
CREATE INDEX "posts_updated_at_idx" ON "posts"("updated_at");

-- CreateIndex
CREATE INDEX "reports_created_at_idx" ON "reports"("created_at");

-- CreateIndex
CREATE INDEX "reports_run_id_idx" ON "reports"("run_id");

-- CreateIndex
CREATE INDEX "reports_ingested_at_idx" ON "reports"("ingested_at");

-- CreateIndex
CREATE INDEX "reports_updated_at_idx" ON "reports"("updated_at");

-- CreateIndex
CREATE INDEX "pipeline_runs_run_at_idx" ON "pipeline_runs"("run_at" DESC);

-- CreateIndex
CREATE INDEX "pipeline_runs_mode_run_at_idx" ON "pipeline_runs"("mode", "run_at" DESC);

-- CreateIndex
CREATE INDEX "pipeline_runs_status_run_at_idx" ON "pipeline_runs"("status", "run_at" DESC);

-- CreateIndex
CREATE INDEX "pipeline_runs_ingested_at_idx" ON "pipeline_runs"("ingested_at");

-- CreateIndex
CREATE INDEX "pipeline_runs_updated_at_idx" ON "pipeline_runs"("updated_at");

-- CreateIndex
CREATE INDEX "watch_accounts_added_at_idx" ON "watch_accounts"("added_at");

-- CreateIndex
CREATE INDEX "watch_accounts_ingested_at_idx" ON "watch_accounts"("ingested_at");

-- CreateIndex
CREATE INDEX "watch_accounts_updated_at_idx" ON "watch_accounts"("updated_at");

-- CreateIndex
CREATE INDEX "embeddings_created_at_idx" ON "embeddings"("created_at");

-- CreateIndex
CREATE INDEX "embeddings_ingested_at_idx" ON "embeddings"("ingested_at");

-- CreateIndex
CREATE INDEX "embeddings_updated_at_idx" ON "embeddings"("updated_at");

-- CreateIndex
CREATE INDEX "window_summaries_created_at_idx" ON "window_summaries"("created_at");

-- CreateIndex
CREATE INDEX "window_summaries_mode_window_start_idx" ON "window_summaries"("mode", "window_start" DESC);

-- CreateIndex
CREATE INDEX "window_summaries_ingested_at_idx" ON "window_summaries"("ingested_at");

-- CreateIndex
CREATE INDEX "window_summaries_updated_at_idx" ON "window_summaries"("updated_at");

-- CreateIndex
CREATE INDEX "narrative_shifts_created_at_idx" ON "narrative_shifts"("created_at");

-- CreateIndex
CREATE INDEX "narrative_shifts_detected_at_idx" ON "narrative_shifts"("detected_at" DESC);

-- CreateIndex
CREATE INDEX "narrative_shifts_ingested_at_idx" ON "narrative_shifts"("ingested_at");

-- CreateIndex
CREATE INDEX "narrative_shifts_updated_at_idx" ON "narrative_shifts"("updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "ingest_batches_idempotency_key_key" ON "ingest_batches"("idempotency_key");

-- CreateIndex
CREATE INDEX "ingest_batches_run_id_idx" ON "ingest_batches"("run_id");

-- CreateIndex
CREATE INDEX "ingest_batches_received_at_idx" ON "ingest_batches"("received_at" DESC);

-- CreateIndex
CREATE INDEX "ingest_batches_collector_mode_received_at_idx" ON "ingest_batches"("collector", "mode", "received_at" DESC);

-- CreateIndex
CREATE INDEX "ingest_rejects_batch_id_idx" ON "ingest_rejects"("batch_id");

-- CreateIndex
CREATE INDEX "ingest_rejects_table_name_created_at_idx" ON "ingest_rejects"("table_name", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_prefix_key" ON "api_keys"("key_prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- AddForeignKey
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_rejects" ADD CONSTRAINT "ingest_rejects_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "ingest_batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

