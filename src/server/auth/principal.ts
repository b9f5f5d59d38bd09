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
};
