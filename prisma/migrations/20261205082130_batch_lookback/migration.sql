-- AlterTable
ALTER TABLE "ingest_batches" ADD COLUMN     "lookback_seconds" INTEGER,
ADD COLUMN     "max_attempts" INTEGER;

