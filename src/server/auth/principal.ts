// Who is calling: the authenticated principal every service receives. It
// belongs to the domain, not to the transport, so services import it from here.
export type Role = "admin" | "ingest" | "reader";

export type Principal = {
  /** "system": seeding and maintenance scripts acting without a key. */
  kind: "api-key" | "system";
  apiKeyId: string | null;
  keyPrefix: string;
  name: string;
  role: Role;
  /** The one collector a bound ingest key may act for; null: not bound (docs/security.md). */
  collector: string | null;
};

/** Seeding and maintenance scripts: admin rights, no key, bound to nothing. */
export function systemPrincipal(name: string): Principal {
  return { kind: "system", apiKeyId: null, keyPrefix: "system", name, role: "admin", collector: null };
}
