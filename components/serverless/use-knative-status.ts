"use client";
// Whether the host's cluster serves Knative Services for the serverless page, asked once the page opens.
import { useEffect, useState } from "react";
import { describeError, requestJson } from "@/components/live/api-client";
import { KnativeStatusSchema, type KnativeStatus } from "@/lib/api/knative";

export function useKnativeStatus(): { status: KnativeStatus | null; error: string | null } {
  const [status, setStatus] = useState<KnativeStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    requestJson("/api/knative", KnativeStatusSchema)
      .then((reply) => !cancelled && setStatus(reply))
      .catch((err: unknown) => !cancelled && setError(describeError(err)));
    return () => {
      cancelled = true;
    };
  }, []);
  return { status, error };
}
