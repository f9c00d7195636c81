import { describe, expect, it } from "vitest";
import { loadConfig } from "./env";

describe("loadConfig", () => {
  it("trusts no proxy by default, and lets a room of 200 browsers behind one address in", () => {
    const config = loadConfig({ NODE_ENV: "test" });
    expect(config.trustedProxies.entries).toEqual([]);
    expect(config.trustedProxies.trusts("127.0.0.1")).toBe(false);
    expect(config.maxActiveRunsPerAddress).toBeGreaterThanOrEqual(200);
  });

  it("reads SBPG_TRUSTED_PROXIES as addresses and CIDRs", () => {
    const config = loadConfig({ NODE_ENV: "test", SBPG_TRUSTED_PROXIES: "127.0.0.1,10.0.0.0/8" });
    expect(config.trustedProxies.entries).toEqual(["127.0.0.1", "10.0.0.0/8"]);
    expect(config.trustedProxies.trusts("10.9.8.7")).toBe(true);
  });

  it("stops start-up on a proxy entry that is neither, naming it", () => {
    expect(() =>
      loadConfig({ NODE_ENV: "test", SBPG_TRUSTED_PROXIES: "127.0.0.1, proxy.local" }),
    ).toThrow(/SBPG_TRUSTED_PROXIES: "proxy.local" is not an IP address or a CIDR/);
  });
});
