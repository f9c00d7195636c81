import { describe, expect, it } from "vitest";
import {
  DEFAULT_RPC_ADDRESS,
  VMADDR_CID_ANY,
  VSOCK_UNSUPPORTED_MESSAGE,
  formatRpcAddress,
  parseRpcAddress,
  rpcAddressFromEnv,
  toNetAddress,
} from "./rpc-address";

describe("vAccel RPC addresses", () => {
  it("parses the forms ttrpc-rust's own tests use", () => {
    expect(parseRpcAddress("unix:///run/a.sock")).toEqual({
      scheme: "unix",
      path: "/run/a.sock",
      abstract: false,
    });
    expect(parseRpcAddress("unix://@/run/b.sock")).toEqual({
      scheme: "unix",
      path: "/run/b.sock",
      abstract: true,
    });
    expect(parseRpcAddress("vsock://8:1024")).toEqual({ scheme: "vsock", cid: 8, port: 1024 });
    expect(parseRpcAddress("tcp://127.0.0.1:65500")).toEqual({
      scheme: "tcp",
      host: "127.0.0.1",
      port: 65500,
    });
  });

  it("takes tcp host names and bracketed IPv6, as vaccel-rpc-client resolves HOST:PORT with ToSocketAddrs", () => {
    expect(parseRpcAddress("tcp://localhost:65500")).toEqual({
      scheme: "tcp",
      host: "localhost",
      port: 65500,
    });
    expect(parseRpcAddress("tcp://Agent.Example:1")).toEqual({
      scheme: "tcp",
      host: "agent.example",
      port: 1,
    });
    const ipv6 = parseRpcAddress("tcp://[::1]:65500");
    expect(ipv6).toEqual({ scheme: "tcp", host: "::1", port: 65500 });
    expect(formatRpcAddress(ipv6)).toBe("tcp://[::1]:65500");
    expect(toNetAddress(ipv6)).toEqual({ host: "::1", port: 65500 });
  });

  it("keeps a relative unix path relative, as ttrpc-rust strips only the prefix", () => {
    expect(parseRpcAddress("unix://agent.sock")).toEqual({
      scheme: "unix",
      path: "agent.sock",
      abstract: false,
    });
  });

  it("maps vsock CID -1 to VMADDR_CID_ANY and formats back", () => {
    const address = parseRpcAddress("vsock://-1:2048");
    expect(address).toEqual({ scheme: "vsock", cid: VMADDR_CID_ANY, port: 2048 });
    expect(formatRpcAddress(address)).toBe("vsock://-1:2048");
    expect(formatRpcAddress(parseRpcAddress("unix://@x"))).toBe("unix://@x");
  });

  it.each([
    ["", "SCHEME://ADDRESS"],
    ["/run/a.sock", "SCHEME://ADDRESS"],
    ["abc:///run/c.sock", "unsupported scheme"],
    ["Vsock://8:1025", "lower case"],
    ["unix://", "needs a socket path"],
    ["tcp://local_host:65500", "host name"],
    ["tcp://[::1:65500", "host name"],
    ["tcp://127.0.0.1", "port"],
    ["tcp://127.0.0.1:70000", "port"],
    ["vsock://2", "CID:PORT"],
    ["vsock://two:2048", "numeric CID"],
    ["vsock://2:x", "numeric port"],
  ])("rejects %j with a message that says what is wrong", (text, fragment) => {
    expect(() => parseRpcAddress(text)).toThrow(fragment);
  });

  it("reads VACCEL_RPC_ADDRESS, then VACCEL_RPC_ADDR, then the default", () => {
    expect(
      rpcAddressFromEnv({ VACCEL_RPC_ADDRESS: "unix:///a", VACCEL_RPC_ADDR: "unix:///b" }),
    ).toMatchObject({ path: "/a" });
    expect(rpcAddressFromEnv({ VACCEL_RPC_ADDR: "unix:///b" })).toMatchObject({ path: "/b" });
    expect(formatRpcAddress(rpcAddressFromEnv({}))).toBe(DEFAULT_RPC_ADDRESS);
  });

  it("turns addresses into net options; vsock says Node cannot do it", () => {
    expect(toNetAddress(parseRpcAddress("unix://@hidden"))).toEqual({ path: "\0hidden" });
    expect(toNetAddress(parseRpcAddress("tcp://10.0.0.1:1"))).toEqual({
      host: "10.0.0.1",
      port: 1,
    });
    expect(() => toNetAddress(parseRpcAddress("vsock://2:2048"))).toThrow(
      VSOCK_UNSUPPORTED_MESSAGE,
    );
  });

  it("reads the playground's serial:// (a device path), which nothing listens on", () => {
    const address = parseRpcAddress("serial:///dev/vaccel");
    expect(address).toEqual({ scheme: "serial", path: "/dev/vaccel" });
    expect(formatRpcAddress(address)).toBe("serial:///dev/vaccel");
    expect(() => parseRpcAddress("serial://dev/vaccel")).toThrow(/absolute device path/);
    expect(() => toNetAddress(address)).toThrow(/not a socket/);
  });
});
