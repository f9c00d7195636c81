"use client";
// What the serverless page needs to know of the host before a run: its runtimes and one visitor's limit.
import { useEffect, useState } from "react";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { describeError, fetchHost, fetchRuntimes } from "@/components/live/api-client";

export interface HostFacts {
  runtimes: RuntimeInfo[] | null;
  perClientLimit: number | null;
  error: string | null;
  reload: () => void;
}

export function useHostFacts(): HostFacts {
  const [runtimes, setRuntimes] = useState<RuntimeInfo[] | null>(null);
  const [perClientLimit, setPerClientLimit] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    Promise.all([fetchRuntimes(), fetchHost()])
      .then(([list, host]) => {
        if (cancelled) return;
        setRuntimes(list);
        setPerClientLimit(host.limits.maxActiveRunsPerClient);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(describeError(err));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  return { runtimes, perClientLimit, error, reload: () => setAttempt((n) => n + 1) };
}

/** The microVM's warm pool, when the host keeps one: its status line, else null. */
export function warmPoolOf(runtimes: RuntimeInfo[] | null): string | null {
  const microvm = runtimes?.find((r) => r.id === "microvm" && r.available);
  const pool = microvm?.details.warmPool;
  return pool && !pool.startsWith("off") ? pool : null;
}
