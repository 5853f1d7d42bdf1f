/**
 * Configuration snippets for common MCP clients: JSON configs with the URL and an
 * Authorization header, and CLI `add` commands. Pure, so tests check them without a browser.
 */
export interface Snippet {
  id: string;
  /** The client, as people know it. */
  label: string;
  /** Where it goes: a file or a terminal. */
  where: string;
  language: "json" | "shell";
  text: string;
}

export const TOKEN_PLACEHOLDER = "<your token>";

export function snippetsFor(mcpUrl: string, token: string | null): Snippet[] {
  const bearer = `Bearer ${token ?? TOKEN_PLACEHOLDER}`;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  const headers = (client: string) => ({ Authorization: bearer, "X-MCP-Client": client });
  return [
    {
      id: "claude-code",
      label: "Claude Code",
      where: "Run in a terminal",
      language: "shell",
      text: [`claude mcp add --transport http atrium ${mcpUrl}`, `  --header "Authorization: ${bearer}"`, `  --header "X-MCP-Client: Claude Code"`].join(" \\\n"),
    },
    {
      id: "cursor",
      label: "Cursor",
      where: "~/.cursor/mcp.json (or .cursor/mcp.json in a project)",
      language: "json",
      text: json({ mcpServers: { atrium: { url: mcpUrl, headers: headers("Cursor") } } }),
    },
    {
      id: "vscode",
      label: "VS Code",
      where: ".vscode/mcp.json in your workspace",
      language: "json",
      text: json({ servers: { atrium: { type: "http", url: mcpUrl, headers: headers("VS Code") } } }),
    },
    {
      id: "json",
      label: "Other clients (JSON)",
      where: "The client's MCP servers configuration",
      language: "json",
      text: json({ mcpServers: { atrium: { type: "http", url: mcpUrl, headers: headers("My agent") } } }),
    },
    {
      id: "inspector",
      label: "MCP Inspector (test the connection)",
      where: "Run in a terminal",
      language: "shell",
      text: [`npx @modelcontextprotocol/inspector --cli ${mcpUrl} --transport http`, `  --header "Authorization: ${bearer}"`, "  --method tools/list"].join(" \\\n"),
    },
  ];
}
