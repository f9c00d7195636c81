// A function request sent on to the cluster's Knative Service for its runtime, and the answer as the gateway relays it.
import { knativeHeaders } from "../../lib/api/knative";
import { PlaygroundError } from "../errors/playground-error";
import type { FunctionRequest, KnativeFunctions } from "../runtimes/kubernetes/knative-functions";
import { endToEndHeaders } from "./http-message";

/**
 * Requests in flight to Knative Services from one address. They are not runs, so the run quotas do not count
 * them; this and the Knative Services' own cap (KnativeFunctions.maxInFlight) bound what one network can ask.
 */
export const maxKnativeRequestsPerAddress = 8;
const perAddress = new Map<string, number>();

/** What the visitor's browser sent for this host alone: its cookies and credentials stay here. */
const privateHeaders = new Set(["host", "cookie", "authorization", "proxy-authorization"]);

export async function relayKnative(
  knative: KnativeFunctions | null,
  runtime: string,
  address: string,
  request: FunctionRequest,
): Promise<{
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Buffer;
}> {
  if (!knative) {
    throw new PlaygroundError(
      "unavailable",
      "knative",
      "No Kubernetes cluster is configured, so there is no Knative Service to send the request to (SBPG_KUBECONFIG).",
    );
  }
  const fromAddress = perAddress.get(address) ?? 0;
  if (fromAddress >= maxKnativeRequestsPerAddress) {
    throw new PlaygroundError(
      "quota",
      "knative",
      `Your network already has ${fromAddress} requests to Knative Services in flight (limit ${maxKnativeRequestsPerAddress}); try again when they have answered.`,
    );
  }
  perAddress.set(address, fromAddress + 1);
  const answer = await knative
    .invoke(runtime, {
      ...request,
      headers: request.headers.filter(([name]) => !privateHeaders.has(name.toLowerCase())),
    })
    .finally(() => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  const flat = answer.headers.flat();
  return {
    status: answer.status,
    statusText: answer.statusText,
    headers: [
      ...endToEndHeaders(flat).filter(([name]) => !name.toLowerCase().startsWith("x-knative-")),
      [knativeHeaders.service, answer.service],
      [knativeHeaders.revision, answer.revision],
      [knativeHeaders.fromZero, answer.fromZero === null ? "unknown" : answer.fromZero ? "1" : "0"],
      [knativeHeaders.upstreamMs, String(answer.upstreamMs)],
    ],
    body: answer.body,
  };
}
