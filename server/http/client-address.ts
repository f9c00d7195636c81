// The address a request comes from: the TCP peer, or, behind a reverse proxy the host trusts, the
// right-most X-Forwarded-For hop that is not one of its trusted proxies (a visitor can write the header's
// left part, only the proxies append to its right).
import { BlockList, isIP } from "node:net";
import type { IncomingMessage } from "node:http";

/** Addresses and networks whose X-Forwarded-For the host believes (SBPG_TRUSTED_PROXIES). */
export interface TrustedProxies {
  /** As configured, for the host page. */
  readonly entries: readonly string[];
  trusts(address: string): boolean;
}

export const noTrustedProxies: TrustedProxies = { entries: [], trusts: () => false };

/** "10.0.0.0/8, 127.0.0.1 ::1" → the entries, or the first one that is neither an address nor a CIDR. */
export function parseTrustedProxies(
  text: string,
): { ok: true; proxies: TrustedProxies } | { ok: false; error: string } {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf("/");
    const address = normalizeAddress(slash < 0 ? entry : entry.slice(0, slash));
    const family = isIP(address);
    if (family === 0)
      return { ok: false, error: `"${entry}" is not an IP address or a CIDR (10.0.0.0/8)` };
    const type = family === 4 ? "ipv4" : "ipv6";
    if (slash < 0) {
      list.addAddress(address, type);
      continue;
    }
    const prefixText = entry.slice(slash + 1);
    const prefix = Number(prefixText);
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || prefix > max)
      return { ok: false, error: `"${entry}": the prefix length must be 0 to ${max}` };
    list.addSubnet(address, prefix, type);
  }
  return {
    ok: true,
    proxies: {
      entries,
      trusts(address) {
        const family = isIP(address);
        return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
      },
    },
  };
}

/** An IPv4 peer on a dual-stack socket reads "::ffff:1.2.3.4": one visitor, one spelling. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return (mapped ? mapped[1] : address).toLowerCase();
}

/** One X-Forwarded-For entry as an address: "[::1]:80" and "1.2.3.4:5678" (some proxies add the port) too. */
function hopAddress(entry: string): string | null {
  let text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  const address = normalizeAddress(text);
  return isIP(address) ? address : null;
}

/**
 * The client's address. The header counts only when the peer is a trusted proxy; each trusted hop hands
 * over to the one it names, and the first untrusted one is the client. A hop that is not an address
 * stops the walk at the proxy that wrote it, so garbage cannot pose as a fresh client.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  let address = normalizeAddress(peer ?? "unknown");
  if (!trusted.trusts(address) || forwardedFor === undefined) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .filter((hop) => hop.trim() !== "");
  while (trusted.trusts(address) && hops.length > 0) {
    const hop = hopAddress(hops.pop()!);
    if (!hop) break;
    address = hop;
  }
  return address;
}

export function requestAddressOf(
  req: Pick<IncomingMessage, "headers" | "socket">,
  trusted: TrustedProxies,
): string {
  return clientAddressOf(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
}
