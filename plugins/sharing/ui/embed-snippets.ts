/**
 * The Embed tab's snippets: how the embedding site's server signs a token (HS256) for this
 * dashboard, in Node (jose), Python (PyJWT) and a shell (openssl, then curl for the data).
 * Pure text from the claims; the key itself is never written into a snippet (it is read from
 * the environment, ATRIUM_EMBED_KEY), so a copied snippet leaks nothing.
 */

export interface SnippetClaims {
  /** The Atrium address, without a trailing slash. */
  baseUrl: string;
  keyId: string;
  dashboardId: string;
  params: Record<string, unknown>;
  allowed: string[];
  exports: string[];
  expiresInMinutes: number;
}

export type SnippetLanguage = "node" | "python" | "curl";

export const SNIPPET_LANGUAGES: { id: SnippetLanguage; label: string }[] = [
  { id: "node", label: "Node" },
  { id: "python", label: "Python" },
  { id: "curl", label: "curl" },
];

function claimsJson(c: SnippetClaims, indent: number): string {
  return JSON.stringify({ dashboard: c.dashboardId, params: c.params, allowed: c.allowed, exports: c.exports }, null, indent);
}

/** Python's literal for a JSON value (True/False/None where JSON says true/false/null). */
function pythonLiteral(json: string): string {
  return json.replace(/("(?:[^"\\]|\\.)*")|\btrue\b|\bfalse\b|\bnull\b/g, (match, quoted: string | undefined) => quoted ?? ({ true: "True", false: "False", null: "None" } as Record<string, string>)[match]!);
}

/** The shell's single-quoted form of a text. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function snippet(language: SnippetLanguage, c: SnippetClaims): string {
  const seconds = c.expiresInMinutes * 60;
  if (language === "node") {
    return `// npm install jose
import { SignJWT } from "jose";

const key = new TextEncoder().encode(process.env.ATRIUM_EMBED_KEY);
const token = await new SignJWT(${claimsJson(c, 2).replace(/\n/g, "\n  ")})
  .setProtectedHeader({ alg: "HS256", kid: "${c.keyId}" })
  .setIssuedAt()
  .setExpirationTime("${seconds}s")
  .sign(key);
const src = \`${c.baseUrl}/e/\${token}\`; // the iframe's src
`;
  }
  if (language === "python") {
    return `# pip install pyjwt
import os, time, jwt

now = int(time.time())
claims = ${pythonLiteral(claimsJson(c, 4))}
token = jwt.encode(
    {**claims, "iat": now, "exp": now + ${seconds}},
    os.environ["ATRIUM_EMBED_KEY"],
    algorithm="HS256",
    headers={"kid": "${c.keyId}"},
)
src = f"${c.baseUrl}/e/{token}"  # the iframe's src
`;
  }
  return `# Sign with openssl, then fetch the embed's data with curl.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '%s' '{"alg":"HS256","typ":"JWT","kid":"${c.keyId}"}' | b64url)
claims=${shellQuote(claimsJson(c, 0))}
payload=$(printf '%s' "\${claims%\\}},\\"iat\\":$now,\\"exp\\":$((now + ${seconds}))}" | b64url)
signature=$(printf '%s' "$header.$payload" | openssl dgst -sha256 -hmac "$ATRIUM_EMBED_KEY" -binary | b64url)
token="$header.$payload.$signature"
echo "iframe src: ${c.baseUrl}/e/$token"
curl -s -X POST ${c.baseUrl}/api/sharing/embed -H 'content-type: application/json' -d "{\\"token\\":\\"$token\\"}"
`;
}
