/**
 * Per-instance cache of what every guarded call asks first: the session behind a cookie, the
 * token behind a bearer header, a member's role in an org, an org's sign-in policy. Kept
 * correct by invalidation, not by short lifetimes:
 *
 *   - Triggers on the tables behind them (migration 2026-12-02-001) NOTIFY `atrium_auth` with a
 *     tag when a row that matters changes: `s:<session>`, `t:<token>`, `u:<user>`,
 *     `m:<org>:<user>`, `o:<org>`, `p:<org>`; project roles (migration 2026-12-02-002)
 *     `r:<org>:<user>`, projects deleted or restored `j:<org>`. Every instance LISTENs and drops what carries the
 *     tag, within milliseconds of the commit: a revoked token or session, a removed member, a
 *     disabled person is refused on every instance well within a second.
 *   - Writes through this process's own handles drop everything at once (`writeFence`, a Kysely
 *     plugin on the kernel's pools), so this instance never answers from a value it has just
 *     changed itself, even before its notification comes back.
 *   - Nothing is cached while the LISTEN connection is down (a missed notification cannot leave
 *     a stale entry), and the cache is emptied when it reconnects.
 *   - A value read before an invalidation arrived is not stored (a generation counter), and no
 *     entry outlives `ttlMs` (a backstop, one minute).
 *
 * Negative answers (no such session, not a member) are never cached. Row-level security stays
 * the backstop: a stale role can at most reach the procedure, whose queries run under the
 * caller's scope.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import pg from "pg";
import type { Logger } from "../log";

export const AUTH_CHANNEL = "atrium_auth";

/** Tables whose changes can revoke an answer the cache gives (plugins add theirs: `watch`). */
const KERNEL_WATCHED = ["sessions", "api_tokens", "users", "memberships", "orgs", "org_sign_in_policies", "project_roles", "projects"];

function watchedPattern(tables: Iterable<string>): RegExp {
  return new RegExp(`\\b(${[...tables].join("|")})\\b`);
}

interface Entry {
  value: unknown;
  at: number;
  tags: readonly string[];
}

export interface AuthCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
}

export class AuthCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byTag = new Map<string, Set<string>>();
  private generation = 0;
  private client: pg.Client | null = null;
  private live = false;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | null = null;
  readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly watchedTables = new Set(KERNEL_WATCHED);
  private watched = watchedPattern(this.watchedTables);
  /** Hits and misses since start (the bench and tests read them). */
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(
    private readonly url: string | null,
    private readonly log: Logger | null,
    options: AuthCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 20_000;
  }

  /** Opens the LISTEN connection; caching starts once it listens. */
  async start(): Promise<void> {
    if (!this.url) return;
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url!, application_name: "atrium-auth-cache" });
    client.on("notification", (msg) => {
      if (msg.channel === AUTH_CHANNEL && msg.payload) this.invalidate(msg.payload);
    });
    const lost = () => {
      if (this.client !== client) return;
      this.goDark();
      if (!this.stopped) {
        this.log?.warn("auth cache: invalidation connection lost; caching paused until it is back");
        this.scheduleReconnect();
      }
    };
    client.on("error", lost);
    client.on("end", lost);
    await client.connect();
    await client.query(`listen ${AUTH_CHANNEL}`);
    this.client = client;
    // Anything cached before was kept while notifications could have been missed.
    this.clear();
    this.live = true;
  }

  private goDark(): void {
    this.live = false;
    this.client = null;
    this.clear();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch(() => this.scheduleReconnect());
    }, 1000);
    this.reconnectTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.goDark();
    await client?.end().catch(() => {});
  }

  /**
   * A plugin caches an answer read from its own tables: a write to one of them through this
   * process's handles empties the cache (as for the kernel's tables). The plugin's migration adds
   * the trigger that notifies the other instances with the tag it stores the answer under.
   */
  watch(tables: readonly string[]): void {
    for (const table of tables) {
      if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`auth cache: "${table}" is not a table name`);
      this.watchedTables.add(table);
    }
    this.watched = watchedPattern(this.watchedTables);
  }

  /** True while invalidations are being received (values are then cached). */
  get listening(): boolean {
    return this.live;
  }

  /**
   * The cached value for `key`, or `load()`'s, stored under the tags `tagsOf` gives it when it
   * is worth keeping (`keep`, default: not null) and nothing was invalidated meanwhile.
   */
  async get<T>(key: string, load: () => Promise<T>, tagsOf: (value: T) => readonly string[], keep: (value: T) => boolean = (v) => v !== null && v !== undefined): Promise<T> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) {
      this.stats.hits++;
      return hit.value as T;
    }
    if (hit) this.drop(key);
    this.stats.misses++;
    const generation = this.generation;
    const value = await load();
    if (this.live && generation === this.generation && keep(value)) this.put(key, value, tagsOf(value), now);
    return value;
  }

  /** Replaces a cached value in place (e.g. a session's last-seen time); no-op when absent. */
  update<T>(key: string, fn: (value: T) => T): void {
    const entry = this.entries.get(key);
    if (entry) entry.value = fn(entry.value as T);
  }

  private put(key: string, value: unknown, tags: readonly string[], at: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
    this.entries.set(key, { value, at, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys && !keys.size) this.byTag.delete(tag);
    }
  }

  /** Drops every entry carrying `tag` (what a notification says changed). */
  invalidate(tag: string): void {
    this.generation++;
    this.stats.invalidations++;
    const keys = this.byTag.get(tag);
    if (!keys) return;
    for (const key of [...keys]) this.drop(key);
  }

  /** Drops everything. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.byTag.clear();
  }

  /**
   * A Kysely plugin for this process's own database handles: a statement that writes to a
   * watched table empties the cache before it runs and again when it returns, so this instance
   * never answers from a value it is changing (other instances learn it from the notification).
   */
  writeFence(): KyselyPlugin {
    const writes = new WeakSet<object>();
    const isWrite = (node: RootOperationNode): boolean => {
      switch (node.kind) {
        case "InsertQueryNode":
        case "UpdateQueryNode":
        case "DeleteQueryNode":
        case "MergeQueryNode":
          return this.watched.test(JSON.stringify(node.kind === "InsertQueryNode" ? node.into : node.kind === "DeleteQueryNode" ? node.from : node.kind === "UpdateQueryNode" ? node.table : node.into));
        case "RawNode": {
          const text = node.sqlFragments.join(" ").toLowerCase();
          return /\b(update|delete|insert|merge)\b/.test(text) && this.watched.test(text);
        }
        default:
          return false;
      }
    };
    return {
      transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => {
        if (isWrite(args.node)) {
          writes.add(args.queryId);
          this.clear();
        }
        return args.node;
      },
      transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => {
        if (writes.has(args.queryId)) this.clear();
        return args.result;
      },
    };
  }
}
