// VACCEL_RPC_ADDRESS as vAccel writes it: unix://PATH, tcp://HOST:PORT, vsock://CID:PORT.
// Rules follow vaccel-rpc-client v0.5.0+vaccel.0.8.0 (client.rs: "scheme://rest", VACCEL_RPC_ADDRESS then
// VACCEL_RPC_ADDR, tcp's HOST:PORT resolved with ToSocketAddrs so host names work) and the ttrpc-rust fork
// it links (common.rs parse_sockaddr; vsock CID:PORT).
// Plus serial://PATH, the playground's own (not vAccel's): a character device carrying the ttrpc stream, such as
// the microVM's virtio-serial port whose host end is the run's agent socket.
import { z } from "zod";
import { describeIssue } from "../../lib/api/describe-issue";
import { PlaygroundError } from "../errors/playground-error";

/** vaccel-rpc-client's fallback when neither VACCEL_RPC_ADDRESS nor VACCEL_RPC_ADDR is set. */
export const DEFAULT_RPC_ADDRESS = "tcp://127.0.0.1:65500";
/** The host's vsock context id, as a guest dials it. */
export const VSOCK_HOST_CID = 2;
/** The port Kata's vAccel integration uses for the per-sandbox agent. */
export const VSOCK_DEFAULT_PORT = 2048;
/** ttrpc-rust maps "-1" (and 0xFFFFFFFF) to VMADDR_CID_ANY. */
export const VMADDR_CID_ANY = 0xffffffff;

export type RpcAddress =
  | { scheme: "unix"; path: string; abstract: boolean }
  | { scheme: "tcp"; host: string; port: number }
  | { scheme: "vsock"; cid: number; port: number }
  | { scheme: "serial"; path: string };

const schemes = ["unix", "tcp", "vsock", "serial"];

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// A DNS name as getaddrinfo takes it (RFC 1123 labels), or a bracketed IPv6 literal as Rust's ToSocketAddrs takes it.
const hostName =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const bracketedIpv6 = /^\[([0-9a-f:.]+)\]$/i;
const decimal = /^\d+$/;

function parseU32(text: string): number | null {
  if (!decimal.test(text)) return null;
  const value = Number(text);
  return value <= 0xffffffff ? value : null;
}

function parseAfterScheme(scheme: string, rest: string): RpcAddress | string {
  if (scheme === "serial") {
    if (!rest.startsWith("/"))
      return "serial:// needs an absolute device path, e.g. serial:///dev/vaccel";
    if (rest.includes("\0")) return "a device path cannot contain NUL";
    return { scheme: "serial", path: rest };
  }
  if (scheme === "unix") {
    if (rest === "" || rest === "@")
      return "unix:// needs a socket path, e.g. unix:///run/vaccel/agent.sock";
    if (rest.includes("\0")) return "a unix socket path cannot contain NUL";
    // ttrpc-rust: a leading '@' names a Linux abstract socket; anything else is a filesystem path.
    return rest.startsWith("@")
      ? { scheme: "unix", path: rest.slice(1), abstract: true }
      : { scheme: "unix", path: rest, abstract: false };
  }
  const colon = rest.lastIndexOf(":");
  const [head, portText] = colon < 0 ? [rest, ""] : [rest.slice(0, colon), rest.slice(colon + 1)];
  const port = parseU32(portText);
  if (scheme === "tcp") {
    const ipv6 = bracketedIpv6.exec(head);
    const host = ipv6 ? ipv6[1] : head;
    if (!ipv6 && !ipv4.test(head) && !hostName.test(head))
      return `tcp:// needs HOST:PORT with an IPv4 address, a host name or a [bracketed] IPv6 address, got "${head}"`;
    if (port === null || port > 65535)
      return `tcp:// needs a port from 0 to 65535, got "${portText}"`;
    // vaccel-rpc-client lower-cases the host before resolving it.
    return { scheme: "tcp", host: host.toLowerCase(), port };
  }
  if (colon < 0 || rest.split(":").length !== 2) {
    return `vsock:// needs CID:PORT, e.g. vsock://${VSOCK_HOST_CID}:${VSOCK_DEFAULT_PORT}`;
  }
  const cid = head.trim() === "-1" ? VMADDR_CID_ANY : parseU32(head);
  if (cid === null) return `vsock:// needs a numeric CID (or -1), got "${head}"`;
  if (port === null) return `vsock:// needs a numeric port, got "${portText}"`;
  return { scheme: "vsock", cid, port };
}

export const rpcAddressSchema = z.string().transform((text, ctx): RpcAddress => {
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  const parts = text.split("://");
  if (parts.length !== 2)
    return fail(`"${text}" is not SCHEME://ADDRESS (unix://, tcp://, vsock:// or serial://)`);
  const [scheme, rest] = parts;
  if (!schemes.includes(scheme)) {
    return schemes.includes(scheme.toLowerCase())
      ? fail(
          `write the scheme in lower case ("${scheme.toLowerCase()}://"); vAccel's ttrpc matches it exactly`,
        )
      : fail(
          `unsupported scheme "${scheme}://"; vAccel speaks unix://, tcp:// and vsock:// (and the playground serial://)`,
        );
  }
  const parsed = parseAfterScheme(scheme, rest);
  return typeof parsed === "string" ? fail(parsed) : parsed;
});

export function parseRpcAddress(text: string): RpcAddress {
  const result = rpcAddressSchema.safeParse(text);
  if (!result.success) {
    throw new PlaygroundError(
      "bad_request",
      "vaccel_address",
      `Bad vAccel RPC address: ${describeIssue(result.error)}`,
    );
  }
  return result.data;
}

export function formatRpcAddress(address: RpcAddress): string {
  switch (address.scheme) {
    case "unix":
      return `unix://${address.abstract ? "@" : ""}${address.path}`;
    case "tcp":
      return `tcp://${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
    case "vsock":
      return `vsock://${address.cid === VMADDR_CID_ANY ? "-1" : address.cid}:${address.port}`;
    case "serial":
      return `serial://${address.path}`;
  }
}

/** The address a guest process would use: VACCEL_RPC_ADDRESS, then VACCEL_RPC_ADDR, then the default. */
export function rpcAddressFromEnv(
  env: Record<string, string | undefined> = process.env,
): RpcAddress {
  return parseRpcAddress(env.VACCEL_RPC_ADDRESS || env.VACCEL_RPC_ADDR || DEFAULT_RPC_ADDRESS);
}

export const VSOCK_UNSUPPORTED_MESSAGE =
  "vsock is not supported by Node's net module; use unix:// or tcp://";

/** Options for net.connect / net.Server.listen; vsock has no Node socket family, so it fails clearly. */
export type NetAddress = { path: string } | { host: string; port: number };

export function toNetAddress(address: RpcAddress): NetAddress {
  switch (address.scheme) {
    case "unix":
      // Node reaches Linux abstract sockets through a leading NUL byte.
      return { path: address.abstract ? `\0${address.path}` : address.path };
    case "tcp":
      return { host: address.host, port: address.port };
    case "vsock":
      throw new PlaygroundError("unavailable", "vaccel_vsock", VSOCK_UNSUPPORTED_MESSAGE);
    case "serial":
      throw new PlaygroundError(
        "bad_request",
        "vaccel_serial",
        "serial:// is a device, not a socket: a client opens it (VaccelClient), nothing listens on it",
      );
  }
}
