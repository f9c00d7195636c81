// One cluster runtime through its Knative Service: make it and wait for Ready, warm requests at the chosen
// concurrency, then requests from zero, each after Knative has scaled the revision to zero.
import type { z } from "zod";
import { requestJson } from "@/components/live/api-client";
import {
  KnativeIdleReplySchema,
  KnativeServiceViewSchema,
  type KnativeServiceView,
} from "@/lib/api/knative";
import type { RequestSample } from "./latency-stats";
import { callFunction, fireRequests, type LoadResult } from "./load-runner";

/** Each request from zero waits for a scale to zero first (Knative's window and grace period): a few suffice. */
export const maxColdRequests = 3;

export type KnativeStep =
  | { step: "deploying" }
  | { step: "warm"; service: KnativeServiceView }
  | { step: "idling"; index: number }
  | { step: "cold"; index: number };

export interface KnativePlan {
  runtime: string;
  requests: number;
  concurrency: number;
  signal: AbortSignal;
  baseUrl?: string;
  onStep: (step: KnativeStep) => void;
  onSample: (kind: "warm" | "cold", sample: RequestSample, done: number) => void;
}

export interface KnativeResult {
  service: KnativeServiceView;
  warm: LoadResult;
  cold: LoadResult;
}

function postTarget<T extends z.ZodType>(plan: KnativePlan, path: string, schema: T) {
  return requestJson(`${plan.baseUrl ?? ""}${path}`, schema, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ runtime: plan.runtime }),
    signal: plan.signal,
  });
}

/** Throws the server's reason (ApiRequestError) when the service cannot be made. */
export async function runKnative(plan: KnativePlan): Promise<KnativeResult> {
  plan.onStep({ step: "deploying" });
  const service = await postTarget(plan, "/api/knative/services", KnativeServiceViewSchema);
  plan.onStep({ step: "warm", service });
  const warm = await fireRequests({
    runtime: plan.runtime,
    pool: false,
    knative: true,
    requests: plan.requests,
    concurrency: plan.concurrency,
    signal: plan.signal,
    baseUrl: plan.baseUrl,
    onSample: (sample, done) => plan.onSample("warm", sample, done),
  });
  const samples: RequestSample[] = [];
  let wallMs = 0;
  const coldRequests = Math.min(maxColdRequests, plan.requests);
  for (let index = 0; index < coldRequests && !plan.signal.aborted; index++) {
    plan.onStep({ step: "idling", index });
    await postTarget(plan, "/api/knative/idle", KnativeIdleReplySchema);
    plan.onStep({ step: "cold", index });
    const sent = performance.now();
    const sample = await callFunction({ ...plan, pool: false, knative: true });
    wallMs += performance.now() - sent;
    samples.push(sample);
    plan.onSample("cold", sample, samples.length);
  }
  return { service, warm, cold: { samples, wallMs } };
}
