"use client";
// Polls a workshop endpoint every 2 s; a 401 or 403 is an answer ("not yours"), not a passing network error.
import { useCallback } from "react";
import { usePolling } from "@/components/host/use-polling";
import { ApiRequestError } from "@/components/live/api-client";

export const workshopPollMs = 2000;

export type Polled<T> = { kind: "ok"; data: T } | { kind: "denied"; message: string };

/** `load` should be stable (useCallback); a new one takes over from the next tick. */
export function useWorkshopPoll<T>(load: () => Promise<T>) {
  const guarded = useCallback(async (): Promise<Polled<T>> => {
    try {
      return { kind: "ok", data: await load() };
    } catch (err) {
      if (err instanceof ApiRequestError && (err.status === 401 || err.status === 403))
        return { kind: "denied", message: err.message };
      throw err;
    }
  }, [load]);
  return usePolling(guarded, workshopPollMs);
}
