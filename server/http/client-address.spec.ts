import { describe, expect, it } from "vitest";
import { clientAddressOf, noTrustedProxies, parseTrustedProxies } from "./client-address";

function trusted(text: string) {
  const parsed = parseTrustedProxies(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.proxies;
}

describe("parseTrustedProxies", () => {
  it("takes addresses and CIDRs of both families, separated by commas or spaces", () => {
    const proxies = trusted("127.0.0.1, 10.0.0.0/8 ::1\nfd00::/8");
    expect(proxies.entries).toEqual(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]);
    expect(proxies.trusts("127.0.0.1")).toBe(true);
    expect(proxies.trusts("10.200.3.4")).toBe(true);
    expect(proxies.trusts("11.0.0.1")).toBe(false);
    expect(proxies.trusts("::1")).toBe(true);
    expect(proxies.trusts("fd12::5")).toBe(true);
    expect(proxies.trusts("fe80::1")).toBe(false);
    expect(proxies.trusts("not an address")).toBe(false);
  });

  it("trusts nothing when empty", () => {
    expect(trusted("").entries).toEqual([]);
    expect(trusted("").trusts("127.0.0.1")).toBe(false);
  });

  it.each([
    ["localhost", /not an IP address/],
    ["10.0.0.0/33", /prefix length must be 0 to 32/],
    ["fd00::/129", /0 to 128/],
    ["10.0.0.0/", /prefix length/],
    ["10.0.0.0/8x", /prefix length/],
    ["300.1.1.1", /not an IP address/],
  ])("refuses %s", (text, message) => {
    const parsed = parseTrustedProxies(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("matches an IPv4 peer written as IPv4-mapped IPv6", () => {
    expect(clientAddressOf("::ffff:127.0.0.1", "203.0.113.9", trusted("127.0.0.1"))).toBe(
      "203.0.113.9",
    );
  });
});

describe("clientAddressOf", () => {
  const proxy = trusted("127.0.0.1, 10.0.0.0/8");

  it("is the peer when no proxy is trusted, whatever the header says", () => {
    expect(clientAddressOf("127.0.0.1", "203.0.113.9", noTrustedProxies)).toBe("127.0.0.1");
  });

  it("ignores the header from a peer that is not a trusted proxy", () => {
    expect(clientAddressOf("198.51.100.7", "203.0.113.9", proxy)).toBe("198.51.100.7");
  });

  it("is the hop a trusted proxy names", () => {
    expect(clientAddressOf("127.0.0.1", "203.0.113.9", proxy)).toBe("203.0.113.9");
  });

  it("takes the right-most untrusted hop: what a visitor wrote to the left is not believed", () => {
    expect(clientAddressOf("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.1.2.3", proxy)).toBe(
      "203.0.113.9",
    );
    expect(clientAddressOf("127.0.0.1", ["1.1.1.1", "203.0.113.9, 10.1.2.3"], proxy)).toBe(
      "203.0.113.9",
    );
  });

  it("is the left-most hop when every hop is a trusted proxy", () => {
    expect(clientAddressOf("127.0.0.1", "10.0.0.5, 10.0.0.6", proxy)).toBe("10.0.0.5");
  });

  it("stops at the proxy when a hop is not an address", () => {
    expect(clientAddressOf("127.0.0.1", "203.0.113.9, unknown", proxy)).toBe("127.0.0.1");
    expect(clientAddressOf("127.0.0.1", "203.0.113.9, 10.0.0.4, garbage", proxy)).toBe("127.0.0.1");
  });

  it("reads hops with ports and brackets, and IPv6 hops", () => {
    expect(clientAddressOf("127.0.0.1", "203.0.113.9:51234", proxy)).toBe("203.0.113.9");
    expect(clientAddressOf("127.0.0.1", "[2001:db8::1]:443", proxy)).toBe("2001:db8::1");
    expect(clientAddressOf("127.0.0.1", "2001:DB8::1", proxy)).toBe("2001:db8::1");
  });

  it("is the peer when a trusted proxy sends no header or an empty one", () => {
    expect(clientAddressOf("127.0.0.1", undefined, proxy)).toBe("127.0.0.1");
    expect(clientAddressOf("127.0.0.1", "", proxy)).toBe("127.0.0.1");
  });
});
