-- AlterTable
ALTER TABLE "posts" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "reports" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "pipeline_runs" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "watch_accounts" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "embeddings" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "window_summaries" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "narrative_shifts" ADD COLUMN     "anomalies" TEXT[] DEFAULT ARRAY[]::TEXT[];

