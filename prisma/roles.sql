-- Least-privilege PostgreSQL roles for operators who run the database
-- themselves. Run as a superuser (or the database owner) after migrating:
--   psql "$DATABASE_URL" -f prisma/roles.sql
-- then create login users in them, e.g.
--   CREATE ROLE xmonitor_web LOGIN PASSWORD '...' IN ROLE xmonitor_app;
--
-- xmonitor_app   what the collector-facing app needs: read everything, write
--                posts, reports, runs, summaries, shifts, which collector
--                pushed which post (collector_pushes) and its own
--                bookkeeping; only READ watch_accounts and embeddings (the
--                same rule as the API's `ingest` role).
-- xmonitor_admin everything on the schema (key management, cutover imports
--                of watch_accounts and embeddings).
-- Safe to run again.

DO $$
BEGIN
  BEGIN
    CREATE ROLE xmonitor_app NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    CREATE ROLE xmonitor_admin NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END
$$;

GRANT USAGE ON SCHEMA public TO xmonitor_app, xmonitor_admin;

GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO xmonitor_admin;
GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO xmonitor_admin;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM xmonitor_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO xmonitor_app;
GRANT INSERT, UPDATE, DELETE ON
  posts, reports, pipeline_runs, window_summaries, narrative_shifts,
  ingest_batches, ingest_rejects, collector_health, rate_limit_windows, ingest_failures, collector_pushes
  TO xmonitor_app;
GRANT UPDATE (last_used_at) ON api_keys TO xmonitor_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO xmonitor_app;
