-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "collector" TEXT;

-- AlterTable
ALTER TABLE "cutover_runs" ADD COLUMN     "api_key_id" UUID;

-- AddForeignKey
ALTER TABLE "cutover_runs" ADD CONSTRAINT "cutover_runs_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

