/**
 * Which OpenID Connect providers are configured, from the environment (validated with zod):
 *
 * - one provider, id `oidc`: `AUTH_OIDC_ISSUER`, `AUTH_OIDC_CLIENT_ID`, `AUTH_OIDC_CLIENT_SECRET`,
 *   `AUTH_OIDC_NAME` (the button label);
 * - several: `AUTH_OIDC_PROVIDERS=okta,keycloak` and `AUTH_OIDC_<ID>_ISSUER` / `_CLIENT_ID` /
 *   `_CLIENT_SECRET` / `_NAME` for each id;
 * - Google, a preset: `AUTH_GOOGLE_CLIENT_ID` / `AUTH_GOOGLE_CLIENT_SECRET`.
 *
 * Each provider's callback is `${PUBLIC_URL}/auth/<id>/callback`.
 */
import { z } from "zod";

export interface OidcProviderConfig {
  /** URL segment and identity key: `oidc`, `okta`, `google`. */
  id: string;
  /** The button label: "Sign in with <name>". */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

const PROVIDER_ID = /^[a-z][a-z0-9-]{0,31}$/;

const providerSchema = z.object({
  id: z.string().regex(PROVIDER_ID, "provider ids are lower-case letters, digits and dashes"),
  name: z.string().trim().min(1, "is required").max(60),
  issuer: z.url({ message: "must be the issuer URL (https://…)" }),
  clientId: z.string().trim().min(1, "is required"),
  clientSecret: z.string().min(1, "is required"),
});

function envName(id: string, field: string): string {
  return `AUTH_OIDC_${id.toUpperCase().replace(/-/g, "_")}_${field}`;
}

function parseProvider(raw: Record<string, unknown>, names: Record<string, string>): OidcProviderConfig {
  const result = providerSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${names[String(issue.path[0])] ?? String(issue.path[0])} ${issue.message}`);
  throw new Error(`OIDC sign-in is misconfigured: ${problems.join("; ")}`);
}

/** The configured providers, in order; throws with the variable's name when one is wrong. */
export function oidcProvidersFromEnv(env: Record<string, string | undefined> = process.env): OidcProviderConfig[] {
  const providers: OidcProviderConfig[] = [];
  const list = env.AUTH_OIDC_PROVIDERS?.trim();
  if (list) {
    for (const id of list.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
      providers.push(
        parseProvider(
          { id, issuer: env[envName(id, "ISSUER")], clientId: env[envName(id, "CLIENT_ID")], clientSecret: env[envName(id, "CLIENT_SECRET")], name: env[envName(id, "NAME")] ?? id },
          { id: "AUTH_OIDC_PROVIDERS", issuer: envName(id, "ISSUER"), clientId: envName(id, "CLIENT_ID"), clientSecret: envName(id, "CLIENT_SECRET"), name: envName(id, "NAME") },
        ),
      );
    }
  } else if (env.AUTH_OIDC_ISSUER || env.AUTH_OIDC_CLIENT_ID) {
    providers.push(
      parseProvider(
        { id: "oidc", issuer: env.AUTH_OIDC_ISSUER, clientId: env.AUTH_OIDC_CLIENT_ID, clientSecret: env.AUTH_OIDC_CLIENT_SECRET, name: env.AUTH_OIDC_NAME ?? "Single sign-on" },
        { issuer: "AUTH_OIDC_ISSUER", clientId: "AUTH_OIDC_CLIENT_ID", clientSecret: "AUTH_OIDC_CLIENT_SECRET", name: "AUTH_OIDC_NAME" },
      ),
    );
  }
  if (env.AUTH_GOOGLE_CLIENT_ID) {
    providers.push(
      parseProvider(
        { id: "google", name: "Google", issuer: "https://accounts.google.com", clientId: env.AUTH_GOOGLE_CLIENT_ID, clientSecret: env.AUTH_GOOGLE_CLIENT_SECRET },
        { clientId: "AUTH_GOOGLE_CLIENT_ID", clientSecret: "AUTH_GOOGLE_CLIENT_SECRET" },
      ),
    );
  }
  const seen = new Set<string>();
  for (const p of providers) {
    if (seen.has(p.id)) throw new Error(`OIDC sign-in is misconfigured: provider "${p.id}" is configured twice`);
    seen.add(p.id);
  }
  return providers;
}
