// Who is asking, as quotas see it: the browser (its visitor cookie) and the address it comes from.
import type { IncomingMessage } from "node:http";
import { requestAddressOf, type TrustedProxies } from "./client-address";
import { visitorIdOf } from "./visitor";

export interface Requester {
  /** The visitor cookie's id; null for a client that keeps no cookie (curl, a script). */
  visitorId: string | null;
  /** The client's address (X-Forwarded-For only behind a trusted proxy): what the per-address ceilings count. */
  address: string;
}

export function requesterOf(
  req: Pick<IncomingMessage, "headers" | "socket">,
  trusted: TrustedProxies,
): Requester {
  return { visitorId: visitorIdOf(req.headers), address: requestAddressOf(req, trusted) };
}

/**
 * The key per-visitor quotas count against. A request without a visitor cookie counts by its address:
 * handing it a cookie would bound nothing, since a client that drops cookies would be a new visitor on
 * every request, so all cookie-less clients behind one address share one visitor's quota.
 */
export function quotaKeyOf(requester: Requester): string {
  return requester.visitorId ? `visitor:${requester.visitorId}` : `address:${requester.address}`;
}
