/**
 * Real repositories for git sync's tests: a bare repository on disk (the "remote"), a work tree
 * to commit to it as someone outside Atrium would, and `git http-backend` behind a local
 * node:http server with basic auth (smart HTTP, as a hosted git server speaks it).
 */
import { execFileSync, spawn } from "node:child_process";
import { createVerify, randomBytes, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "Outside", GIT_AUTHOR_EMAIL: "outside@example.com", GIT_COMMITTER_NAME: "Outside", GIT_COMMITTER_EMAIL: "outside@example.com" };

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" }).trim();
}

/** A bare repository with a work tree to commit from; `commit` writes files (null deletes) on the branch's current head and pushes. */
export function createRemote(branch = "main") {
  const root = mkdtempSync(path.join(tmpdir(), "atrium-git-"));
  const bare = path.join(root, "remote.git");
  const work = path.join(root, "work");
  git(root, "init", "--bare", "--quiet", `--initial-branch=${branch}`, bare);
  git(root, "init", "--quiet", `--initial-branch=${branch}`, work);
  return {
    root,
    bare,
    url: `file://${bare}`,
    commit(files: Record<string, string | null>, message = "Change dashboards"): string {
      // Start from the remote's branch as it is now (Atrium may have pushed to it since).
      if (git(root, "--git-dir", bare, "for-each-ref", `refs/heads/${branch}`)) {
        git(work, "fetch", "--quiet", bare, branch);
        git(work, "reset", "--quiet", "--hard", "FETCH_HEAD");
      }
      for (const [name, text] of Object.entries(files)) {
        const file = path.join(work, name);
        if (text === null) rmSync(file, { force: true });
        else {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, text);
        }
      }
      git(work, "add", "--all");
      git(work, "commit", "--quiet", "-m", message);
      git(work, "push", "--quiet", bare, `HEAD:refs/heads/${branch}`);
      return git(work, "rev-parse", "HEAD");
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** `git http-backend` for every repository under `root`, behind basic auth (user anything, password `token`); every request is logged. */
export async function serveSmartHttp(
  root: string,
  /** The password git must present, or a check of it. */
  token: string | ((password: string | null) => boolean),
  /** Answers a request itself (e.g. a REST API beside the repositories) when it returns true. */
  other?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    if (other?.(req, res, new URL(req.url ?? "/", "http://localhost"))) return;
    const auth = req.headers.authorization ?? "";
    const password = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString().split(":").slice(1).join(":") : null;
    if (typeof token === "string" ? password !== token : !token(password)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("Unauthorized");
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const cgi = spawn("git", ["http-backend"], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: "tester",
        REMOTE_ADDR: "127.0.0.1",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headerDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split("\r\n")) {
        const [name, ...rest] = line.split(":");
        const value = rest.join(":").trim();
        if (name!.toLowerCase() === "status") status = Number(value.split(" ")[0]);
        else res.setHeader(name!, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on("end", () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface GithubOauthAppDouble {
  clientId: string;
  clientSecret: string;
  people: Map<string, { login: string; repos: string[] }>;
  authorizeAs: { token: string | null };
  /** What the authorize page was asked for, newest last (scope, redirect_uri). */
  asked?: Array<{ scope: string; redirectUri: string }>;
}

export interface GithubPull {
  number: number;
  owner: string;
  name: string;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
}

/**
 * A GitHub-shaped server (as GitHub Enterprise Server: the REST API under `/api/v3`): the
 * repositories under `root` as `<owner>/<name>.git` over smart HTTP (password `token`), and the
 * pull request calls git sync makes (`GET`/`POST /api/v3/repos/:owner/:name/pulls`, Bearer
 * `token`; a head branch the repository lacks is a 422 as GitHub answers it).
 */
export async function serveGithub(
  root: string,
  token: string,
  app?: {
    id: string;
    publicKey: KeyObject;
    installations: Map<number, string[]>;
    users?: Map<string, number[]>;
    /**
     * The App's OAuth client and the codes it hands out at install (code → user token; each works
     * once). With `expiring`, a code is exchanged (as GitHub does for an App with expiring user
     * tokens) for a new user token standing for that person, which lives `expiresIn` seconds, and
     * a single-use refresh token (`refreshTokenExpiresIn`); `grant_type=refresh_token` spends one
     * for a new pair (revoking the old user token) and refuses an unknown, used or expired one
     * (`bad_refresh_token`).
     */
    oauth?: {
      clientId: string;
      clientSecret: string;
      codes: Map<string, string>;
      expiring?: { expiresIn: number; refreshTokenExpiresIn: number };
      /** The install page (`/apps/<slug>/installations/new`): as if the person installed `installationId` and authorized as `userToken`, back to `setupUrl`. */
      installPage?: { installationId: number; userToken: string; setupUrl: string };
    };
  },
  /**
   * An OAuth App (GitHub's `/login/oauth/authorize` and the code exchange): `people` maps each
   * OAuth token to its login and the repositories (owner/name) it reaches, over the API
   * (`/user`, `/user/repos`, `/repos/:owner/:name`) and git (a token reaches only its
   * repositories). The authorize page sends the person back to `redirect_uri` with a code for
   * `authorizeAs.token` (or `error=access_denied` when it is null); each code works once.
   * Deleting a token from `people` revokes it.
   */
  oauthApp?: GithubOauthAppDouble,
) {
  const pulls: GithubPull[] = [];
  /** Installation tokens handed out: token → expiry (ms). */
  const issued = new Map<string, number>();
  const gitAccepts = (password: string | null) =>
    password === token || (password !== null && !state.gitRefusesInstallations && (issued.get(password) ?? 0) > Date.now()) || (password !== null && Boolean(oauthApp?.people.has(password)));
  const oauthCodes = new Map<string, string>();
  /**
   * `apiRevoked`: the REST API refuses the token (as after it is revoked), while git still answers.
   * `gitRefusesInstallations`: git refuses installation tokens (as when the installation lost the
   * repository's Contents permission after the token was minted), while the API still mints them.
   */
  const state = { apiRevoked: false, gitRefusesInstallations: false, refreshDelayMs: 0 };
  /** Expiring user tokens handed out: token → the person (their key in `users`) and expiry (ms). */
  const userTokens = new Map<string, { user: string; expires: number }>();
  /** Refresh tokens not yet spent: token → the person, expiry (ms) and the user token it came with. */
  const refreshTokens = new Map<string, { user: string; expires: number; access: string }>();
  /** Refresh grants asked for: spent (a new pair issued) and refused. Every refresh token ever issued, in `issuedRefreshTokens`. */
  const refreshes = { spent: 0, refused: 0 };
  const issuedRefreshTokens: string[] = [];
  /** Issues an expiring user token and a refresh token for `user` (GitHub's answer to a code or a refresh). */
  const issueUserGrant = (user: string, life = app?.oauth?.expiring ?? { expiresIn: 8 * 3600, refreshTokenExpiresIn: 184 * 86_400 }) => {
    const access = `ghu_${randomBytes(18).toString("hex")}`;
    const refresh = `ghr_${randomBytes(30).toString("hex")}`;
    userTokens.set(access, { user, expires: Date.now() + life.expiresIn * 1000 });
    refreshTokens.set(refresh, { user, expires: Date.now() + life.refreshTokenExpiresIn * 1000, access });
    issuedRefreshTokens.push(refresh);
    return { access_token: access, expires_in: life.expiresIn, refresh_token: refresh, refresh_token_expires_in: life.refreshTokenExpiresIn, token_type: "bearer", scope: "" };
  };
  /** The person a user token stands for: itself (a token from `users`), or the one an expiring token was issued to while it lives. */
  const personOf = (userToken: string): string | null => {
    const issuedTo = userTokens.get(userToken);
    if (!issuedTo) return userToken;
    return issuedTo.expires > Date.now() ? issuedTo.user : null;
  };
  let base = "";
  /** The OAuth App's pages and API routes, and git refusing an OAuth token a repository it does not reach; false: not one of them. */
  const oauthRoutes = (o: GithubOauthAppDouble, req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const auth = req.headers.authorization ?? "";
    const basic = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString().split(":").slice(1).join(":") : null;
    const gitRepo = /^\/([^/]+)\/([^/]+?)\.git\//.exec(url.pathname);
    if (gitRepo && basic !== null && o.people.has(basic) && !o.people.get(basic)!.repos.includes(`${gitRepo[1]}/${gitRepo[2]}`)) {
      res.writeHead(403).end("Forbidden");
      return true;
    }
    if (url.pathname === "/login/oauth/authorize" && req.method === "GET") {
      o.asked?.push({ scope: url.searchParams.get("scope") ?? "", redirectUri: url.searchParams.get("redirect_uri") ?? "" });
      if (url.searchParams.get("client_id") !== o.clientId) return send(res, 404, { message: "Not Found" });
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      if (o.authorizeAs.token === null) back.searchParams.set("error", "access_denied");
      else {
        const code = `oc_${randomBytes(8).toString("hex")}`;
        oauthCodes.set(code, o.authorizeAs.token);
        back.searchParams.set("code", code);
      }
      res.writeHead(302, { location: back.toString() }).end();
      return true;
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        if (form.get("client_id") !== o.clientId || form.get("client_secret") !== o.clientSecret) {
          if (app?.oauth && form.get("client_id") === app.oauth.clientId) return json(res, 500, { message: "this double serves the App's exchange only without an OAuth App" });
          return json(res, 200, { error: "incorrect_client_credentials" });
        }
        const granted = oauthCodes.get(form.get("code") ?? "");
        if (!granted) return json(res, 200, { error: "bad_verification_code" });
        oauthCodes.delete(form.get("code") ?? "");
        json(res, 200, { access_token: granted, token_type: "bearer", scope: o.asked?.at(-1)?.scope ?? "repo" });
      });
      return true;
    }
    const bearer = auth.replace(/^(Bearer|token) /, "");
    const person = o.people.get(bearer);
    if (!person || req.method !== "GET") return false;
    const shaped = (full: string) => ({ full_name: full, name: full.split("/")[1], private: false, default_branch: "main", clone_url: `${base}/${full}.git`, permissions: { pull: true, push: true } });
    if (url.pathname === "/api/v3/user") return send(res, 200, { login: person.login });
    if (url.pathname === "/api/v3/user/repos") {
      const per = Number(url.searchParams.get("per_page") ?? "30");
      const page = Number(url.searchParams.get("page") ?? "1");
      return send(res, 200, person.repos.slice((page - 1) * per, page * per).map(shaped));
    }
    const one = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (one) return person.repos.includes(`${one[1]}/${one[2]}`) ? send(res, 200, shaped(`${one[1]}/${one[2]}`)) : send(res, 404, { message: "Not Found" });
    return false;
  };
  const json = (res: ServerResponse, status: number, body: unknown) => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const send = (res: ServerResponse, status: number, body: unknown) => {
    json(res, status, body);
    return true;
  };
  const shape = (p: GithubPull) => ({ number: p.number, html_url: `${base}/${p.owner}/${p.name}/pull/${p.number}`, state: p.state, title: p.title, body: p.body, head: { ref: p.head }, base: { ref: p.base } });
  const server = await serveSmartHttp(root, gitAccepts, (req, res, url) => {
    if (oauthApp) {
      const handled = oauthRoutes(oauthApp, req, res, url);
      if (handled) return true;
    }
    const installPage = app?.oauth?.installPage;
    if (/^\/apps\/[^/]+\/installations\/new$/.test(url.pathname) && req.method === "GET" && installPage) {
      const code = `code_${randomBytes(8).toString("hex")}`;
      app.oauth!.codes.set(code, installPage.userToken);
      const back = new URL(installPage.setupUrl);
      for (const [name, value] of Object.entries({ installation_id: String(installPage.installationId), setup_action: "install", code, state: url.searchParams.get("state") ?? "" })) back.searchParams.set(name, value);
      res.writeHead(302, { location: back.toString() }).end();
      return true;
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST" && app?.oauth && !oauthApp) {
      const oauth = app.oauth;
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        if (form.get("client_id") !== oauth.clientId || form.get("client_secret") !== oauth.clientSecret) return json(res, 200, { error: "incorrect_client_credentials" });
        if (form.get("grant_type") === "refresh_token") {
          const presented = form.get("refresh_token") ?? "";
          const known = refreshTokens.get(presented);
          if (!known || known.expires <= Date.now()) {
            refreshes.refused += 1;
            return json(res, 200, { error: "bad_refresh_token", error_description: "The refresh token passed is incorrect or expired." });
          }
          // Single use: spent at once (a second request with it, even a concurrent one, is refused); the old user token stops working.
          refreshTokens.delete(presented);
          userTokens.delete(known.access);
          refreshes.spent += 1;
          setTimeout(() => json(res, 200, issueUserGrant(known.user)), state.refreshDelayMs);
          return;
        }
        const code = form.get("code") ?? "";
        const userToken = oauth.codes.get(code);
        if (!userToken) return json(res, 200, { error: "bad_verification_code" });
        oauth.codes.delete(code);
        json(res, 200, oauth.expiring ? issueUserGrant(userToken, oauth.expiring) : { access_token: userToken, token_type: "bearer", scope: "" });
      });
      return true;
    }
    if (!url.pathname.startsWith("/api/v3/")) return false;
    const install = /^\/api\/v3\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (install && req.method === "POST" && app) {
      const jwt = (req.headers.authorization ?? "").replace(/^Bearer /, "").split(".");
      const claims = jwt.length === 3 ? (JSON.parse(Buffer.from(jwt[1]!, "base64url").toString()) as { iss?: string; exp?: number }) : null;
      const valid = claims && createVerify("RSA-SHA256").update(`${jwt[0]}.${jwt[1]}`).verify(app.publicKey, Buffer.from(jwt[2]!, "base64url"));
      if (!valid || claims.iss !== app.id || (claims.exp ?? 0) * 1000 < Date.now()) return send(res, 401, { message: "A JSON web token could not be decoded" });
      const repos = app.installations.get(Number(install[1]));
      if (!repos) return send(res, 404, { message: "Not Found" });
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const asked = (JSON.parse(body || "{}") as { repositories?: string[] }).repositories ?? [];
        if (asked.some((r) => !repos.includes(r))) return json(res, 422, { message: "There is at least one repository that does not exist or is not accessible to the parent installation." });
        const minted = `ghs_${randomBytes(18).toString("hex")}`;
        const expires = Date.now() + 60 * 60 * 1000;
        issued.set(minted, expires);
        json(res, 201, { token: minted, expires_at: new Date(expires).toISOString(), permissions: { contents: "write", pull_requests: "write" } });
      });
      return true;
    }
    if (url.pathname.startsWith("/api/v3/user/installations") && req.method === "GET" && app?.users) {
      // A person's user-to-server token sees only the installations they can reach.
      const person = personOf((req.headers.authorization ?? "").replace(/^(Bearer|token) /, ""));
      const reach = person === null ? undefined : app.users.get(person);
      if (!reach) return send(res, 401, { message: "Bad credentials" });
      if (url.pathname === "/api/v3/user/installations") {
        const installations = reach.filter((id) => app.installations.has(id)).map((id) => ({ id, account: { login: "acme" }, app_id: Number(app.id) }));
        return send(res, 200, { total_count: installations.length, installations });
      }
      const repos = /^\/api\/v3\/user\/installations\/(\d+)\/repositories$/.exec(url.pathname);
      const id = repos ? Number(repos[1]) : NaN;
      if (!repos || !reach.includes(id) || !app.installations.has(id)) return send(res, 404, { message: "Not Found" });
      const repositories = app.installations.get(id)!.map((name) => ({ name, full_name: `acme/${name}`, clone_url: `${base}/acme/${name}.git`, default_branch: "main" }));
      return send(res, 200, { total_count: repositories.length, repositories });
    }
    // The pull request calls: the personal token, or an installation token while it lives.
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if ((bearer !== token && !((issued.get(bearer) ?? 0) > Date.now()) && !oauthApp?.people.has(bearer)) || state.apiRevoked) return send(res, 401, { message: "Bad credentials" });
    const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
    const bare = m ? path.join(root, m[1]!, `${m[2]}.git`) : "";
    if (!m || !existsSync(bare)) return send(res, 404, { message: "Not Found" });
    const [owner, name] = [m[1]!, m[2]!];
    if (req.method === "GET") {
      const head = url.searchParams.get("head");
      const found = pulls.filter((p) => p.owner === owner && p.name === name && p.state === (url.searchParams.get("state") ?? "open") && (!head || `${owner}:${p.head}` === head));
      return send(res, 200, found.map(shape));
    }
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const input = JSON.parse(body) as { title: string; body: string; head: string; base: string };
      if (!git(root, "--git-dir", bare, "for-each-ref", `refs/heads/${input.head}`)) return json(res, 422, { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] });
      const pull: GithubPull = { number: pulls.length + 1, owner, name, head: input.head, base: input.base, title: input.title, body: input.body, state: "open" };
      pulls.push(pull);
      json(res, 201, shape(pull));
    });
    return true;
  });
  base = server.url;
  return { ...server, pulls, state, issued, userTokens, refreshes, issuedRefreshTokens, issueUserGrant };
}
