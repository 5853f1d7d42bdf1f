/**
 * The sample dataset: a small online shop, generated deterministically (a seeded PRNG, so every
 * org gets the same rows), loaded in one transaction into the `sample` schema of the org's
 * warehouse, replacing any earlier copy. About 200k rows over five related tables:
 *
 *   sample.customers (5,000) ← sample.orders (40,000) ← sample.order_items (~100,000) → sample.products (400)
 *   sample.events (60,000: page views, carts, checkouts, sign-ups; some anonymous)
 */
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type pg from "pg";
import type { Kernel } from "~/kernel/kernel";
import { invalidateWarehouse } from "./service";
import { ensureWarehouse, SAMPLE_SCHEMA, withWarehouseAdmin } from "./warehouse";

export const SAMPLE_SEED = 20_261_201;
export const SAMPLE_COUNTS = { customers: 5_000, products: 400, orders: 40_000, events: 60_000 } as const;

/** mulberry32: a tiny, fast, seeded PRNG (deterministic across platforms). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John", "Radia", "Edsger", "Hedy", "Tim", "Sophie", "Yukihiro", "Guido", "Anita", "Bjarne", "Katherine", "Donald", "Shafi", "Leslie", "Jean", "Mary", "Carlos", "Amara", "Ines", "Noah", "Priya", "Wei", "Fatima", "Lars", "Olga", "Mateo", "Aisha", "Hiro", "Elena", "Kofi", "Zoe"];
const LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "McCarthy", "Perlman", "Dijkstra", "Lamarr", "Berners-Lee", "Wilson", "Matsumoto", "Rossum", "Borg", "Stroustrup", "Johnson", "Knuth", "Goldwasser", "Lamport", "Bartik", "Keller", "Silva", "Okafor", "García", "Müller", "Sharma", "Zhang", "Haddad", "Nilsson", "Ivanova", "Rossi", "Bello", "Tanaka", "Popescu", "Mensah", "Dubois"];
const PLACES: Array<[string, string[], number]> = [
  ["United States", ["New York", "San Francisco", "Austin", "Chicago", "Seattle"], 30],
  ["United Kingdom", ["London", "Manchester", "Edinburgh"], 12],
  ["Germany", ["Berlin", "Munich", "Hamburg"], 11],
  ["France", ["Paris", "Lyon", "Marseille"], 9],
  ["Canada", ["Toronto", "Vancouver", "Montreal"], 7],
  ["Japan", ["Tokyo", "Osaka"], 7],
  ["Brazil", ["São Paulo", "Rio de Janeiro"], 6],
  ["India", ["Bengaluru", "Mumbai", "Delhi"], 8],
  ["Australia", ["Sydney", "Melbourne"], 5],
  ["Nigeria", ["Lagos", "Abuja"], 5],
];
const SEGMENTS: Array<[string, number]> = [["consumer", 70], ["small business", 22], ["enterprise", 8]];
const CATEGORIES: Array<[string, string[], number, number]> = [
  ["Electronics", ["Headphones", "Keyboard", "Monitor", "Webcam", "Speaker", "Charger"], 20, 400],
  ["Books", ["Novel", "Cookbook", "Atlas", "Biography", "Workbook"], 8, 45],
  ["Home", ["Lamp", "Mug", "Blanket", "Vase", "Clock", "Chair"], 10, 250],
  ["Garden", ["Hose", "Planter", "Shears", "Seeds", "Lantern"], 5, 120],
  ["Sports", ["Yoga Mat", "Bottle", "Racket", "Helmet", "Backpack"], 12, 200],
  ["Toys", ["Puzzle", "Blocks", "Kite", "Robot", "Board Game"], 7, 90],
  ["Beauty", ["Soap", "Serum", "Brush", "Perfume"], 6, 110],
];
const ADJECTIVES = ["Classic", "Pro", "Mini", "Eco", "Deluxe", "Smart", "Urban", "Nordic", "Vintage", "Ultra", "Soft", "Bold"];
const STATUSES: Array<[string, number]> = [["completed", 78], ["shipped", 9], ["processing", 4], ["cancelled", 6], ["refunded", 3]];
const CHANNELS: Array<[string, number]> = [["web", 55], ["mobile", 35], ["marketplace", 10]];
const EVENT_TYPES: Array<[string, number]> = [["page_view", 62], ["add_to_cart", 16], ["checkout_started", 8], ["search", 10], ["signup", 4]];
const PAGES = ["/", "/products", "/products/:id", "/cart", "/checkout", "/search", "/account", "/blog", "/pricing"];
const DEVICES: Array<[string, number]> = [["desktop", 48], ["mobile", 44], ["tablet", 8]];

const START = Date.UTC(2024, 0, 1);
const SPAN_MS = Date.UTC(2026, 0, 1) - START;

function weighted<T>(rand: () => number, items: ReadonlyArray<readonly [T, ...unknown[]]>, weightAt: number): T {
  const total = items.reduce((s, i) => s + (i[weightAt] as number), 0);
  let r = rand() * total;
  for (const item of items) {
    r -= item[weightAt] as number;
    if (r <= 0) return item[0];
  }
  return items[items.length - 1]![0];
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** A time in 2024–2025 with a growth trend (more activity later) and busier evenings. */
function timeIn(rand: () => number, after = START): number {
  const span = START + SPAN_MS - after;
  const skewed = Math.sqrt(rand()); // density grows linearly over the period
  const day = Math.floor(((after - START) + skewed * span) / 86_400_000);
  const hour = Math.min(23, Math.floor(8 + Math.abs(rand() + rand() + rand() - 1.5) * 10 + (rand() < 0.3 ? 6 : 0)));
  return Math.max(after, START + day * 86_400_000 + hour * 3_600_000 + Math.floor(rand() * 3_600_000));
}

const iso = (ms: number) => new Date(ms).toISOString();
const money = (n: number) => Math.round(n * 100) / 100;

export interface SampleData {
  customers: { id: number[]; name: string[]; email: string[]; country: string[]; city: string[]; segment: string[]; signed_up_at: string[] };
  products: { id: number[]; name: string[]; category: string[]; price: number[]; cost: number[] };
  orders: { id: number[]; customer_id: number[]; ordered_at: string[]; status: string[]; channel: string[]; total: number[] };
  order_items: { order_id: number[]; product_id: number[]; quantity: number[]; unit_price: number[] };
  events: { id: number[]; customer_id: Array<number | null>; occurred_at: string[]; type: string[]; page: string[]; device: string[] };
}

/** Generates the dataset (same output for the same seed). */
export function generateSample(seed = SAMPLE_SEED): SampleData {
  const rand = prng(seed);
  const customers: SampleData["customers"] = { id: [], name: [], email: [], country: [], city: [], segment: [], signed_up_at: [] };
  const signedUp: number[] = [];
  for (let id = 1; id <= SAMPLE_COUNTS.customers; id++) {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const [country, cities] = ((): [string, string[]] => {
      const name = weighted(rand, PLACES, 2);
      return [name, PLACES.find((p) => p[0] === name)![1]];
    })();
    const at = timeIn(rand);
    signedUp.push(at);
    customers.id.push(id);
    customers.name.push(`${first} ${last}`);
    customers.email.push(`${first}.${last}.${id}@example.com`.toLowerCase().normalize("NFKD").replace(/[^a-z0-9.@-]/g, ""));
    customers.country.push(country);
    customers.city.push(pick(rand, cities));
    customers.segment.push(weighted(rand, SEGMENTS, 1));
    customers.signed_up_at.push(iso(at));
  }

  const products: SampleData["products"] = { id: [], name: [], category: [], price: [], cost: [] };
  for (let id = 1; id <= SAMPLE_COUNTS.products; id++) {
    const [category, nouns, low, high] = CATEGORIES[id % CATEGORIES.length]!;
    const price = money(low + (high - low) * rand() ** 2);
    products.id.push(id);
    products.name.push(`${pick(rand, ADJECTIVES)} ${pick(rand, nouns)} ${100 + Math.floor(rand() * 900)}`);
    products.category.push(category);
    products.price.push(price);
    products.cost.push(money(price * (0.35 + rand() * 0.35)));
  }
  // A few products sell far more than others.
  const popularity = products.id.map(() => rand() ** 3);
  const popularityTotal = popularity.reduce((a, b) => a + b, 0);
  const productFor = () => {
    let r = rand() * popularityTotal;
    for (let i = 0; i < popularity.length; i++) if ((r -= popularity[i]!) <= 0) return i;
    return popularity.length - 1;
  };

  const orders: SampleData["orders"] = { id: [], customer_id: [], ordered_at: [], status: [], channel: [], total: [] };
  const items: SampleData["order_items"] = { order_id: [], product_id: [], quantity: [], unit_price: [] };
  for (let id = 1; id <= SAMPLE_COUNTS.orders; id++) {
    // Repeat customers: a skewed pick.
    const customer = Math.floor(rand() ** 1.6 * SAMPLE_COUNTS.customers);
    const at = timeIn(rand, signedUp[customer]!);
    const lines = 1 + Math.floor(rand() ** 1.5 * 5);
    let total = 0;
    const used = new Set<number>();
    for (let l = 0; l < lines; l++) {
      const p = productFor();
      if (used.has(p)) continue;
      used.add(p);
      const quantity = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 3);
      const unit = money(products.price[p]! * (rand() < 0.15 ? 0.8 : 1));
      items.order_id.push(id);
      items.product_id.push(p + 1);
      items.quantity.push(quantity);
      items.unit_price.push(unit);
      total += quantity * unit;
    }
    orders.id.push(id);
    orders.customer_id.push(customer + 1);
    orders.ordered_at.push(iso(at));
    orders.status.push(weighted(rand, STATUSES, 1));
    orders.channel.push(weighted(rand, CHANNELS, 1));
    orders.total.push(money(total));
  }

  const events: SampleData["events"] = { id: [], customer_id: [], occurred_at: [], type: [], page: [], device: [] };
  for (let id = 1; id <= SAMPLE_COUNTS.events; id++) {
    const anonymous = rand() < 0.35;
    const customer = Math.floor(rand() * SAMPLE_COUNTS.customers);
    const type = weighted(rand, EVENT_TYPES, 1);
    events.id.push(id);
    events.customer_id.push(anonymous && type !== "signup" ? null : customer + 1);
    events.occurred_at.push(iso(timeIn(rand)));
    events.type.push(type);
    events.page.push(type === "add_to_cart" ? "/products/:id" : type === "checkout_started" ? "/checkout" : type === "search" ? "/search" : type === "signup" ? "/account" : pick(rand, PAGES));
    events.device.push(weighted(rand, DEVICES, 1));
  }
  return { customers, products, orders, order_items: items, events };
}

const DDL = `
create table ${SAMPLE_SCHEMA}.customers (id integer primary key, name text not null, email text not null, country text not null, city text not null, segment text not null, signed_up_at timestamptz not null);
create table ${SAMPLE_SCHEMA}.products (id integer primary key, name text not null, category text not null, price numeric(10,2) not null, cost numeric(10,2) not null);
create table ${SAMPLE_SCHEMA}.orders (id integer primary key, customer_id integer not null, ordered_at timestamptz not null, status text not null, channel text not null, total numeric(12,2) not null);
create table ${SAMPLE_SCHEMA}.order_items (order_id integer not null, product_id integer not null, quantity integer not null, unit_price numeric(10,2) not null);
create table ${SAMPLE_SCHEMA}.events (id bigint primary key, customer_id integer, occurred_at timestamptz not null, type text not null, page text not null, device text not null);`;

const CONSTRAINTS = `
alter table ${SAMPLE_SCHEMA}.orders add foreign key (customer_id) references ${SAMPLE_SCHEMA}.customers (id);
alter table ${SAMPLE_SCHEMA}.order_items add foreign key (order_id) references ${SAMPLE_SCHEMA}.orders (id);
alter table ${SAMPLE_SCHEMA}.order_items add foreign key (product_id) references ${SAMPLE_SCHEMA}.products (id);
alter table ${SAMPLE_SCHEMA}.events add foreign key (customer_id) references ${SAMPLE_SCHEMA}.customers (id);
create index on ${SAMPLE_SCHEMA}.orders (customer_id);
create index on ${SAMPLE_SCHEMA}.orders (ordered_at);
create index on ${SAMPLE_SCHEMA}.order_items (order_id);
create index on ${SAMPLE_SCHEMA}.order_items (product_id);
create index on ${SAMPLE_SCHEMA}.events (occurred_at);`;

const TYPES: Record<string, Record<string, string>> = {
  customers: { id: "int4", name: "text", email: "text", country: "text", city: "text", segment: "text", signed_up_at: "timestamptz" },
  products: { id: "int4", name: "text", category: "text", price: "numeric", cost: "numeric" },
  orders: { id: "int4", customer_id: "int4", ordered_at: "timestamptz", status: "text", channel: "text", total: "numeric" },
  order_items: { order_id: "int4", product_id: "int4", quantity: "int4", unit_price: "numeric" },
  events: { id: "int8", customer_id: "int4", occurred_at: "timestamptz", type: "text", page: "text", device: "text" },
};

async function insertColumns(client: pg.Client, table: string, data: Record<string, unknown[]>, batch = 10_000): Promise<number> {
  const cols = Object.keys(data);
  const types = TYPES[table]!;
  const n = data[cols[0]!]!.length;
  const text = `insert into ${SAMPLE_SCHEMA}.${table} (${cols.join(", ")}) select * from unnest(${cols.map((c, i) => `$${i + 1}::${types[c]}[]`).join(", ")})`;
  for (let at = 0; at < n; at += batch) {
    await client.query(text, cols.map((c) => data[c]!.slice(at, at + batch)));
  }
  return n;
}

export interface SampleResult {
  schema: string;
  tables: Array<{ name: string; rows: number }>;
  totalRows: number;
  elapsedMs: number;
}

/** Loads (or reloads) the sample dataset into the org's warehouse. */
export async function loadSample(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<SampleResult> {
  const started = performance.now();
  const info = await ensureWarehouse(kernel, db, orgId);
  const data = generateSample();
  const tables: SampleResult["tables"] = [];
  await withWarehouseAdmin(kernel, info, async (client) => {
    await client.query("begin");
    try {
      await client.query("set local lock_timeout = '30s'");
      await client.query(`select pg_advisory_xact_lock(hashtext('data.sample'))`);
      await client.query(`drop table if exists ${["events", "order_items", "orders", "products", "customers"].map((t) => `${SAMPLE_SCHEMA}.${t}`).join(", ")}`);
      await client.query(DDL);
      for (const table of ["customers", "products", "orders", "order_items", "events"] as const) {
        tables.push({ name: `${SAMPLE_SCHEMA}.${table}`, rows: await insertColumns(client, table, data[table] as Record<string, unknown[]>) });
      }
      await client.query(CONSTRAINTS);
      await client.query("commit");
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
    await client.query(`analyze ${["customers", "products", "orders", "order_items", "events"].map((t) => `${SAMPLE_SCHEMA}.${t}`).join(", ")}`);
  });
  invalidateWarehouse(kernel, orgId);
  await kernel.events.emit("data.warehouse.changed", { table: `${SAMPLE_SCHEMA}.*` }, { orgId }).catch(() => {});
  return { schema: SAMPLE_SCHEMA, tables, totalRows: tables.reduce((s, t) => s + t.rows, 0), elapsedMs: Math.round(performance.now() - started) };
}
