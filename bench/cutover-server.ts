// What PostgreSQL holds after a cutover run: the server's own record of the
// import's batches (ingest_batches), and plain table counts.
import pg from "pg";
import type { ServerFigures } from "./cutover-report";

/**
 * What the server recorded for one cutover's batches, per table and in all:
 * how many, the time inside their transactions (summed; two in flight
 * overlap) and the span from the first batch received to the last finished.
 */
export async function serverBatches(url: string, label: string): Promise<ServerFigures> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // idempotency key: cutover:<label>:p<pass>:<role>-<prefix>:<collector hash>:<table>:<hash>
    const { rows } = await client.query<{ tbl: string; batches: string; tx_ms: string; span_ms: string }>(
      `select split_part(idempotency_key, ':', 6) as tbl, count(*) as batches,
              sum(extract(epoch from finished_at - received_at)) * 1000 as tx_ms,
              extract(epoch from max(finished_at) - min(received_at)) * 1000 as span_ms
         from ingest_batches where idempotency_key like $1 group by 1`,
      [`cutover:${label}:%`],
    );
    const tables = Object.fromEntries(
      rows.map((r) => [r.tbl, { batches: Number(r.batches), txMs: Number(r.tx_ms), spanMs: Number(r.span_ms) }]),
    );
    const all = Object.values(tables);
    return {
      batches: all.reduce((s, t) => s + t.batches, 0),
      txMs: all.reduce((s, t) => s + t.txMs, 0),
      spanMs: all.reduce((s, t) => s + t.spanMs, 0),
      tables,
    };
  } finally {
    await client.end();
  }
}

export async function tableCounts(url: string, tables: string[]): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of tables)
      out[t] = Number((await client.query<{ n: string }>(`select count(*) as n from "${t}"`)).rows[0]?.n ?? 0);
    return out;
  } finally {
    await client.end();
  }
}
