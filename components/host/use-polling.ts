"use client";
// Calls `load` now and every `intervalMs` while the tab is visible; keeps the last good value beside the last error.
import { useEffect, useRef, useState } from "react";
import { describeError } from "@/components/live/api-client";

export interface Polled<T> {
  data: T | null;
  error: string | null;
  updatedAt: number | null;
}

export function usePolling<T>(load: () => Promise<T>, intervalMs: number): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: null, error: null, updatedAt: null });
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  }, [load]);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const tick = async () => {
      if (!document.hidden) {
        try {
          const data = await loadRef.current();
          if (!cancelled) setState({ data, error: null, updatedAt: Date.now() });
        } catch (err) {
          if (!cancelled) setState((current) => ({ ...current, error: describeError(err) }));
        }
      }
      // Chained rather than setInterval, so a slow host never has two requests from one tab in flight.
      if (!cancelled) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [intervalMs]);

  return state;
}
