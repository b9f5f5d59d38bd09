-- AlterTable
ALTER TABLE "reconcile_results" ADD COLUMN     "deep" JSONB;

