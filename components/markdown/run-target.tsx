"use client";
// Where a run block's Run button sends its command: whichever runner on the page registered itself (today the
// demo runner fills and runs its command; a session's terminal can register the same way).
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";

export interface RunRequest {
  /** The block's text, handed to the runner's shell as it is. */
  command: string;
  /** The fence's language; always "sh" today, checked when the demo is loaded. */
  language: string;
}

export type RunHandler = (request: RunRequest) => void;

interface RunTarget {
  /** Null while no runner on the page takes commands: run blocks then offer Copy only. */
  run: RunHandler | null;
  register: (handler: RunHandler) => () => void;
}

const RunTargetContext = createContext<RunTarget>({ run: null, register: () => () => {} });

export function RunTargetProvider({ children }: { children: ReactNode }) {
  const handler = useRef<RunHandler | null>(null);
  const [registered, setRegistered] = useState(false);
  // Stable, so a runner registers once per mount however often the provider re-renders.
  const register = useCallback((next: RunHandler) => {
    handler.current = next;
    setRegistered(true);
    return () => {
      if (handler.current !== next) return;
      handler.current = null;
      setRegistered(false);
    };
  }, []);
  const target = useMemo<RunTarget>(
    () => ({ run: registered ? (request) => handler.current?.(request) : null, register }),
    [registered, register],
  );
  return <RunTargetContext.Provider value={target}>{children}</RunTargetContext.Provider>;
}

/** The Run handler for run blocks, or null where nothing on the page can run a command. */
export function useRunTarget(): RunHandler | null {
  return useContext(RunTargetContext).run;
}

/** Makes `handler` the page's run target while the calling component is mounted. */
export function useRegisterRunTarget(handler: RunHandler): void {
  const { register } = useContext(RunTargetContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => register((request) => latest.current(request)), [register]);
}
