-- collector_pushes is read by collector: through its primary key (collector, table_name, key) and
-- the (collector, table_name, since_at) index. The (table_name, key) index served only the lookups
-- of the provenance backfill, and every pushed row of posts and embeddings paid one more index
-- insert for it (about a tenth of the provenance statement, docs/benchmarks.md).
-- DropIndex
DROP INDEX "collector_pushes_table_name_key_idx";
