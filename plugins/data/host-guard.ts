/**
 * Where an external data source may point: addresses classified by their bytes, never by how
 * they are spelled.
 *
 * A host is turned into the IP addresses a connection would reach (an IP literal in any spelling
 * the C library accepts — `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`, `[::ffff:7f00:1]` — or
 * every address a name resolves to), each address into 4 or 16 bytes, and IPv6 forms that carry
 * an IPv4 address (mapped `::ffff:0:0/96`, compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`) into that IPv4 address before a `net.BlockList` classifies it. The caller connects
 * to the address that was checked (see resolvePostgresTarget), so a second DNS answer cannot
 * change where the connection goes. See docs/decisions/021-address-classification-and-embedded-supervision.md.
 */
import { lookup } from "node:dns/promises";
import net from "node:net";
import os from "node:os";

/** `loopback` and `private` may be allowed by configuration; `forbidden` never is. */
export type AddressClass = "loopback" | "private" | "forbidden" | "public";

/** Resolves a host name to every address it has (tests inject their own). */
export type HostResolver = (host: string) => Promise<string[]>;

/** The system resolver: every address, in the order the system would try them. */
export const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

const blocks = (() => {
  const loopback = new net.BlockList();
  loopback.addSubnet("127.0.0.0", 8, "ipv4");
  loopback.addAddress("::1", "ipv6");

  const forbidden = new net.BlockList();
  forbidden.addSubnet("0.0.0.0", 8, "ipv4"); // "this network": 0.0.0.0 reaches the local host
  forbidden.addSubnet("169.254.0.0", 16, "ipv4"); // link-local: cloud metadata endpoints
  forbidden.addSubnet("192.0.2.0", 24, "ipv4"); // documentation ranges
  forbidden.addSubnet("198.51.100.0", 24, "ipv4");
  forbidden.addSubnet("203.0.113.0", 24, "ipv4");
  forbidden.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
  forbidden.addSubnet("240.0.0.0", 4, "ipv4"); // reserved, broadcast
  forbidden.addAddress("::", "ipv6"); // unspecified
  forbidden.addSubnet("fe80::", 10, "ipv6"); // link-local
  forbidden.addSubnet("ff00::", 8, "ipv6"); // multicast
  forbidden.addSubnet("100::", 64, "ipv6"); // discard
  forbidden.addSubnet("2001:db8::", 32, "ipv6"); // documentation

  const privateRanges = new net.BlockList();
  privateRanges.addSubnet("10.0.0.0", 8, "ipv4");
  privateRanges.addSubnet("172.16.0.0", 12, "ipv4");
  privateRanges.addSubnet("192.168.0.0", 16, "ipv4");
  privateRanges.addSubnet("100.64.0.0", 10, "ipv4"); // carrier-grade NAT
  privateRanges.addSubnet("192.0.0.0", 24, "ipv4"); // IETF protocol assignments
  privateRanges.addSubnet("198.18.0.0", 15, "ipv4"); // benchmarking
  privateRanges.addSubnet("fc00::", 7, "ipv6"); // unique local
  privateRanges.addSubnet("fec0::", 10, "ipv6"); // site-local (deprecated, still routable inside)
  privateRanges.addSubnet("64:ff9b:1::", 48, "ipv6"); // local-use NAT64
  return { loopback, forbidden, privateRanges };
})();

/** Parses an IPv4 address the way inet_aton does: 1 to 4 parts, each decimal, octal (0…) or hex (0x…). */
function parseLegacyIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]+$/i.test(part)) value = parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = parseInt(part, 10);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  // The last part fills the remaining bytes: a.b.c.d, a.b.(16 bits), a.(24 bits), (32 bits).
  const last = values.pop()!;
  const lastBytes = 4 - values.length;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * lastBytes)) return null;
  const bytes = new Uint8Array(4);
  values.forEach((v, i) => (bytes[i] = v));
  for (let i = 0; i < lastBytes; i++) bytes[3 - i] = Math.floor(last / 2 ** (8 * i)) % 256;
  return bytes;
}

function parseIPv6(text: string): Uint8Array | null {
  if (!net.isIPv6(text)) return null;
  // An embedded dotted IPv4 tail (::ffff:127.0.0.1) is two 16-bit groups.
  const spelled = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const halves = spelled.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const all = [...left, ...new Array<number>(fill).fill(0), ...right];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** An IP address as text, in canonical form (dotted IPv4, or IPv6 as Node prints it). */
export interface ParsedAddress {
  /** The address a connection reaches, with any IPv4 carried in IPv6 unwrapped. */
  canonical: string;
  family: 4 | 6;
  /** The interface scope (`fe80::1%eth0`), if one was given. */
  zone: string | null;
}

/**
 * Parses an IP literal in any spelling the system resolver would accept, or returns null for a
 * name. Brackets and a zone id are accepted; IPv4 carried in IPv6 is unwrapped to IPv4.
 */
export function parseAddress(input: string): ParsedAddress | null {
  let text = input.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  let zone: string | null = null;
  const percent = text.indexOf("%");
  if (percent >= 0 && text.includes(":")) {
    zone = text.slice(percent + 1);
    text = text.slice(0, percent);
  }
  if (text.includes(":")) {
    const bytes = parseIPv6(text.toLowerCase());
    if (!bytes) return null;
    const embedded = embeddedIPv4(bytes);
    if (embedded) return { canonical: embedded, family: 4, zone };
    const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
    return { canonical: new net.SocketAddress({ address: groups.join(":"), family: "ipv6" }).address, family: 6, zone };
  }
  const v4 = parseLegacyIPv4(text.replace(/\.$/, ""));
  return v4 ? { canonical: v4.join("."), family: 4, zone: null } : null;
}

function embeddedIPv4(b: Uint8Array): string | null {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => [...b.slice(at, at + 4)].join(".");
  // ::ffff:a.b.c.d (mapped)
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  // ::a.b.c.d (compatible, deprecated) — but not :: and ::1 themselves
  if (zero(0, 12) && !(zero(12, 15) && (b[15] === 0 || b[15] === 1))) return v4(12);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12);
  // 2002:a.b.c.d::/48 (6to4)
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  return null;
}

/** Classifies one IP address (any spelling) by its bytes; a name or garbage is `forbidden`. */
export function classifyAddress(input: string): AddressClass {
  const parsed = parseAddress(input);
  if (!parsed) return "forbidden";
  const type = parsed.family === 4 ? "ipv4" : "ipv6";
  if (blocks.forbidden.check(parsed.canonical, type)) return "forbidden";
  if (blocks.loopback.check(parsed.canonical, type)) return "loopback";
  if (blocks.privateRanges.check(parsed.canonical, type)) return "private";
  // A scoped address only means something on this machine's links.
  if (parsed.zone !== null) return "forbidden";
  return "public";
}

/** `localhost`, `*.localhost` (RFC 6761), with or without the trailing dot. */
function isLocalhostName(host: string): boolean {
  return /(^|\.)localhost\.?$/i.test(host);
}

/** Why a host was refused, with the address at fault. */
export class HostRefused extends Error {
  constructor(
    message: string,
    readonly kind: "unresolvable" | AddressClass,
  ) {
    super(message);
  }
}

/**
 * Every address `host` reaches, canonical, in the order they would be tried. IP literals are
 * parsed here (never handed to the resolver), localhost names are loopback whatever the
 * resolver says, and anything else goes through `resolver`.
 */
export async function resolveHost(host: string, resolver: HostResolver = systemResolver): Promise<string[]> {
  const literal = parseAddress(host);
  if (literal) return [literal.zone === null ? literal.canonical : `${literal.canonical}%${literal.zone}`];
  if (isLocalhostName(host)) return ["127.0.0.1", "::1"];
  let answers: string[];
  try {
    answers = await resolver(host.replace(/\.$/, ""));
  } catch {
    throw new HostRefused(`Could not resolve host "${host}"`, "unresolvable");
  }
  const addresses = answers.map((a) => {
    const parsed = parseAddress(a);
    return parsed ? parsed.canonical : a;
  });
  if (addresses.length === 0) throw new HostRefused(`Could not resolve host "${host}"`, "unresolvable");
  return [...new Set(addresses)];
}

/**
 * Resolves `host` and refuses it if ANY of its addresses is forbidden, or loopback/private
 * while those are not allowed. Returns every address (all vetted); connect to one of them.
 */
export async function vetHost(host: string, options: { allowPrivate: boolean; resolver?: HostResolver }): Promise<string[]> {
  const addresses = await resolveHost(host, options.resolver);
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === "forbidden") throw new HostRefused(`Connections to ${address} are not allowed (link-local, multicast, unspecified or reserved address)`, kind);
    if ((kind === "loopback" || kind === "private") && !options.allowPrivate) {
      throw new HostRefused(`Connections to ${kind} addresses (${address}) are not allowed on this server`, kind);
    }
  }
  return addresses;
}

/** This machine's own addresses (loopback and every interface), canonical: they all reach a local server. */
export function localAddresses(): Set<string> {
  const out = new Set(["127.0.0.1", "::1", "0.0.0.0", "::"]);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) {
      const parsed = parseAddress(entry.address);
      if (parsed) out.add(parsed.canonical);
    }
  }
  return out;
}

/** True when `a` and `b` reach the same machine: the same address, or both this machine. */
export function sameMachine(a: string, b: string, local: Set<string> = localAddresses()): boolean {
  if (a === b) return true;
  const isLocal = (x: string) => local.has(x) || classifyAddress(x) === "loopback";
  return isLocal(a) && isLocal(b);
}
