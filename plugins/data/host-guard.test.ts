/**
 * The private-address filter classifies by bytes: every hostile spelling of loopback, link-local
 * metadata and private ranges is caught, and a name is judged by every address it resolves to.
 */
import { describe, expect, test } from "vitest";
import { classifyAddress, parseAddress, resolveHost, sameMachine, vetHost, type HostResolver } from "./host-guard";

const table: Array<[string, ReturnType<typeof classifyAddress>, string?]> = [
  // IPv4 in the spellings inet_aton accepts
  ["127.0.0.1", "loopback"],
  ["127.1", "loopback", "127.0.0.1"],
  ["2130706433", "loopback", "127.0.0.1"],
  ["0x7f000001", "loopback", "127.0.0.1"],
  ["0177.0.0.1", "loopback", "127.0.0.1"],
  ["0x7f.1", "loopback", "127.0.0.1"],
  ["0x7f.0.0.0x1", "loopback", "127.0.0.1"],
  ["127.0.0.1.", "loopback", "127.0.0.1"],
  ["017700000001", "loopback", "127.0.0.1"],
  ["10.1.2.3", "private"],
  ["012.1.2.3", "private", "10.1.2.3"],
  ["167772161", "private", "10.0.0.1"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.0.10", "private"],
  ["100.64.0.1", "private"],
  ["169.254.169.254", "forbidden"],
  ["2852039166", "forbidden", "169.254.169.254"],
  ["0251.0376.0251.0376", "forbidden", "169.254.169.254"],
  ["0.0.0.0", "forbidden"],
  ["0", "forbidden", "0.0.0.0"],
  ["224.0.0.1", "forbidden"],
  ["255.255.255.255", "forbidden"],
  // IPv6, and IPv4 carried inside IPv6
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback", "::1"],
  ["::ffff:7f00:1", "loopback", "127.0.0.1"],
  ["[::ffff:7f00:1]", "loopback", "127.0.0.1"],
  ["0:0:0:0:0:ffff:7f00:1", "loopback", "127.0.0.1"],
  ["::FFFF:7F00:0001", "loopback", "127.0.0.1"],
  ["::ffff:127.0.0.1", "loopback", "127.0.0.1"],
  ["::ffff:a9fe:a9fe", "forbidden", "169.254.169.254"],
  ["::ffff:a00:1", "private", "10.0.0.1"],
  ["::ffff:c0a8:1", "private", "192.168.0.1"],
  ["::7f00:1", "loopback", "127.0.0.1"],
  ["64:ff9b::7f00:1", "loopback", "127.0.0.1"],
  ["64:ff9b::a9fe:a9fe", "forbidden", "169.254.169.254"],
  ["64:ff9b::10.0.0.1", "private", "10.0.0.1"],
  ["2002:7f00:1::", "loopback", "127.0.0.1"],
  ["::", "forbidden"],
  ["::0", "forbidden", "::"],
  ["fe80::1", "forbidden"],
  ["fe80::1%eth0", "forbidden", "fe80::1"],
  ["[fe80::1%25eth0]", "forbidden", "fe80::1"],
  ["ff02::1", "forbidden"],
  ["fd00::1", "private"],
  ["fc00::1", "private"],
  // public stays public
  ["8.8.8.8", "public"],
  ["1.1.1.1", "public"],
  ["::ffff:808:808", "public", "8.8.8.8"],
  ["2001:4860:4860::8888", "public"],
];

describe("classifying addresses by their bytes", () => {
  test.each(table)("%s is %s", (spelling, expected, canonical) => {
    expect(classifyAddress(spelling)).toBe(expected);
    expect(parseAddress(spelling)?.canonical).toBe(canonical ?? spelling.replace(/^\[|\]$/g, ""));
  });

  test("names are not addresses", () => {
    for (const name of ["db.example.com", "localhost", "256.1.1.1", "1.2.3.4.5", "0x", "08.1.1.1"]) expect(parseAddress(name), name).toBeNull();
  });
});

describe("resolving and vetting a host", () => {
  const resolver =
    (answers: Record<string, string[]>): HostResolver =>
    async (host) => {
      const found = answers[host];
      if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
      return found;
    };
  const dns = resolver({
    "db.example.com": ["93.184.216.34"],
    "evil.example.com": ["127.0.0.1"],
    "mixed.example.com": ["93.184.216.34", "10.0.0.7"],
    "mixed6.example.com": ["2001:4860:4860::8888", "::ffff:7f00:1"],
    "metadata.example.com": ["::ffff:a9fe:a9fe"],
  });

  test("localhost names are loopback whatever the resolver says", async () => {
    for (const host of ["localhost", "localhost.", "LOCALHOST", "db.localhost", "db.localhost."]) {
      await expect(resolveHost(host, resolver({ localhost: ["93.184.216.34"] })), host).resolves.toEqual(["127.0.0.1", "::1"]);
      await expect(vetHost(host, { allowPrivate: false, resolver: dns }), host).rejects.toThrow(/loopback/);
    }
  });

  test("a name is refused when ANY of its addresses is private, loopback or forbidden", async () => {
    await expect(vetHost("db.example.com", { allowPrivate: false, resolver: dns })).resolves.toEqual(["93.184.216.34"]);
    await expect(vetHost("db.example.com.", { allowPrivate: false, resolver: dns })).resolves.toEqual(["93.184.216.34"]);
    await expect(vetHost("evil.example.com", { allowPrivate: false, resolver: dns })).rejects.toThrow(/loopback addresses \(127\.0\.0\.1\)/);
    await expect(vetHost("mixed.example.com", { allowPrivate: false, resolver: dns })).rejects.toThrow(/private addresses \(10\.0\.0\.7\)/);
    await expect(vetHost("mixed6.example.com", { allowPrivate: false, resolver: dns })).rejects.toThrow(/loopback addresses \(127\.0\.0\.1\)/);
    // Link-local metadata is refused even where private hosts are allowed.
    await expect(vetHost("metadata.example.com", { allowPrivate: true, resolver: dns })).rejects.toThrow(/169\.254\.169\.254.*not allowed/);
    await expect(vetHost("nowhere.example.com", { allowPrivate: true, resolver: dns })).rejects.toThrow(/Could not resolve/);
  });

  test("IP literals never reach the resolver", async () => {
    const never: HostResolver = async () => {
      throw new Error("the resolver was asked");
    };
    await expect(resolveHost("2130706433", never)).resolves.toEqual(["127.0.0.1"]);
    await expect(resolveHost("[::ffff:7f00:1]", never)).resolves.toEqual(["127.0.0.1"]);
    await expect(resolveHost("fe80::1%eth0", never)).resolves.toEqual(["fe80::1%eth0"]);
  });

  test("every loopback spelling is the same machine as the app's cluster", () => {
    for (const spelling of ["2130706433", "::ffff:7f00:1", "127.0.0.2", "::1", "64:ff9b::7f00:1"]) {
      expect(sameMachine(parseAddress(spelling)!.canonical, "127.0.0.1"), spelling).toBe(true);
    }
    expect(sameMachine("8.8.8.8", "127.0.0.1")).toBe(false);
  });
});
