// API keys: random, shown once, stored as a SHA-256 hash next to a short
// public prefix. Lookup is by prefix; the hash comparison is constant-time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { sqlPool, type Db } from "../db";
import { AppError } from "../errors";
import type { Principal, Role } from "./principal";

const KEY_PATTERN = /^xmk_([a-z0-9]{10})_([A-Za-z0-9_-]{32,64})$/;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateApiKey(): { key: string; prefix: string } {
  const prefixId = randomBytes(8).toString("hex").slice(0, 10);
  const secret = randomBytes(24).toString("base64url");
  return { key: `xmk_${prefixId}_${secret}`, prefix: `xmk_${prefixId}` };
}

export const apiKeySelect = {
  id: true,
  name: true,
  role: true,
  keyPrefix: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  collector: true,
} as const;

export async function createApiKey(db: Db, input: { name: string; role: Role; collector?: string | null | undefined }) {
  const collector = input.collector ?? null;
  // Binding limits what a collector's key may speak for; admin and reader keys speak for no collector.
  if (collector !== null && input.role !== "ingest")
    throw new AppError(
      "BAD_REQUEST",
      `Only ingest keys can be bound to a collector (this one has role ${input.role}): drop the collector, or use role ingest.`,
    );
  const { key, prefix } = generateApiKey();
  const row = await db.apiKey.create({
    data: { name: input.name, role: input.role, keyPrefix: prefix, keyHash: hashApiKey(key), collector },
    select: apiKeySelect,
  });
  return { ...row, key };
}

export async function listApiKeys(db: Db) {
  return db.apiKey.findMany({ select: apiKeySelect, orderBy: { createdAt: "desc" } });
}

export async function revokeApiKey(db: Db, prefix: string) {
  const existing = await db.apiKey.findUnique({ where: { keyPrefix: prefix }, select: apiKeySelect });
  if (!existing) throw new AppError("NOT_FOUND", `No API key with prefix ${prefix}: list keys to see their prefixes.`);
  if (existing.revokedAt) return existing;
  return db.apiKey.update({ where: { keyPrefix: prefix }, data: { revokedAt: new Date() }, select: apiKeySelect });
}

export type Authentication = { principal: Principal } | { principal: null; error: string };

const LAST_USED_RESOLUTION_MS = 60_000;

type KeyRow = {
  id: string;
  name: string;
  role: Role;
  keyPrefix: string;
  keyHash: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  collector: string | null;
};
const keyByPrefixSql = `select id, name, role::text as role, key_prefix as "keyPrefix", key_hash as "keyHash",
  last_used_at as "lastUsedAt", revoked_at as "revokedAt", collector from api_keys where key_prefix = $1`;

/** Resolves an `Authorization` header value to a principal, or says why not. */
export async function authenticateApiKey(db: Db, header: string | null | undefined): Promise<Authentication | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { principal: null, error: "Malformed Authorization header: expected `Bearer <api key>`." };
  const key = match[1]!;
  const parsed = KEY_PATTERN.exec(key);
  const invalid = {
    principal: null,
    error: "Invalid API key: check the key, or create a new one with `npm run keys -- create`.",
  } as const;
  if (!parsed) return invalid;
  // Every API request runs this: plain statements on the pg pool (decisions/006).
  const pool = sqlPool(db);
  const { rows } = await pool.query<KeyRow>({
    name: "api_key_by_prefix",
    text: keyByPrefixSql,
    values: [`xmk_${parsed[1]}`],
  });
  const row = rows[0];
  if (!row) return invalid;
  const expected = Buffer.from(row.keyHash, "hex");
  const actual = Buffer.from(hashApiKey(key), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return invalid;
  if (row.revokedAt)
    return { principal: null, error: `API key ${row.keyPrefix} was revoked: ask an admin for a new key.` };
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await pool.query("update api_keys set last_used_at = $2 where id = $1", [row.id, new Date(now)]);
  }
  return {
    principal: {
      kind: "api-key",
      apiKeyId: row.id,
      keyPrefix: row.keyPrefix,
      name: row.name,
      role: row.role,
      collector: row.collector,
    },
  };
}
