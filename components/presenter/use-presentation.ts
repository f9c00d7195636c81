"use client";
// Joins a presentation's room and keeps its latest state; joins again after every reconnect.
import { useCallback, useEffect, useState } from "react";
import {
  AudienceEventSchema,
  PresentationAckSchema,
  PresentationStateEventSchema,
  presenterEvents,
  type PresentationState,
} from "@/lib/api/presenter";
import { getSocket } from "@/components/live/socket-client";

export interface UsePresentation {
  state: PresentationState | null;
  /** False while the socket is down; it reconnects by itself. */
  live: boolean;
  /** Why the presentation cannot be followed (ended, mistyped link); null while all is well. */
  error: string | null;
  /** Audience browsers following now; null until the server has said. */
  following: number | null;
  /** Sends a presenter action; resolves to the error message, or null when the server took it. */
  act: (event: string, payload: Record<string, unknown>) => Promise<string | null>;
}

const ackTimeoutMs = 5000;

/** `audience`: this browser follows (and counts among the audience); the presenter's view does not. */
export function usePresentation(id: string, role: { audience: boolean }): UsePresentation {
  const { audience } = role;
  const [state, setState] = useState<PresentationState | null>(null);
  const [following, setFollowing] = useState<number | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const take = useCallback(
    (next: PresentationState) =>
      setState((current) =>
        next.id === id && (!current || next.version >= current.version) ? next : current,
      ),
    [id],
  );

  useEffect(() => {
    const socket = getSocket();
    let closed = false;
    const join = () => {
      setLive(true);
      socket
        .timeout(ackTimeoutMs)
        .emitWithAck(presenterEvents.join, { id, audience })
        .then((raw: unknown) => {
          if (closed) return;
          const ack = PresentationAckSchema.safeParse(raw);
          if (!ack.success) setError("The server's answer to joining has an unexpected shape.");
          else if (ack.data.ok) {
            setError(null);
            take(ack.data.state);
          } else setError(ack.data.error.message);
        })
        .catch(() => undefined);
    };
    const onState = (raw: unknown) => {
      const event = PresentationStateEventSchema.safeParse(raw);
      if (event.success) take(event.data.state);
    };
    const onAudience = (raw: unknown) => {
      const event = AudienceEventSchema.safeParse(raw);
      if (event.success && event.data.id === id) setFollowing(event.data.following);
    };
    const onDown = () => setLive(false);

    socket.on(presenterEvents.state, onState);
    socket.on(presenterEvents.audience, onAudience);
    socket.on("connect", join);
    socket.on("disconnect", onDown);
    socket.on("connect_error", onDown);
    if (socket.connected) join();
    return () => {
      closed = true;
      socket.off(presenterEvents.state, onState);
      socket.off(presenterEvents.audience, onAudience);
      socket.off("connect", join);
      socket.off("disconnect", onDown);
      socket.off("connect_error", onDown);
      if (socket.connected) socket.emit(presenterEvents.leave, { id });
    };
  }, [id, audience, take]);

  const act = useCallback(
    async (event: string, payload: Record<string, unknown>) => {
      try {
        const raw: unknown = await getSocket()
          .timeout(ackTimeoutMs)
          .emitWithAck(event, { id, ...payload });
        const ack = PresentationAckSchema.safeParse(raw);
        if (!ack.success) return "The server's answer has an unexpected shape.";
        if (!ack.data.ok) return ack.data.error.message;
        take(ack.data.state);
        return null;
      } catch {
        return "The server did not answer; the connection may be down. Try again.";
      }
    },
    [id, take],
  );

  return { state, live, error, following, act };
}
