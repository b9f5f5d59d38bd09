// A comparable description of a database's schema (tables, columns, types,
// defaults, indexes, constraints, enums), for the migration drift test.
import pg from "pg";

export async function schemaFingerprint(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const queries = [
      `select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') || ' len=' || coalesce(character_maximum_length::text, '') || ' prec=' || coalesce(datetime_precision::text, '') as line
         from information_schema.columns where table_schema = 'public' and table_name <> '_prisma_migrations'`,
      `select 'index ' || indexdef as line from pg_indexes where schemaname = 'public' and tablename <> '_prisma_migrations'`,
      `select 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as line
         from pg_constraint where connamespace = 'public'::regnamespace and conrelid <> 0 and conrelid::regclass::text <> '_prisma_migrations'`,
      `select 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' order by e.enumsortorder) as line
         from pg_type t join pg_enum e on e.enumtypid = t.oid group by t.typname`,
    ];
    const lines: string[] = [];
    for (const sql of queries) {
      const result = await client.query<{ line: string }>(sql);
      lines.push(...result.rows.map((r) => r.line));
    }
    return lines.sort();
  } finally {
    await client.end();
  }
}
