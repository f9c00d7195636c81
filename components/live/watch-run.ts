// Follows one run over socket.io (polling HTTP while the socket is down) and reports its snapshot and output.
import {
  LogChunkSchema,
  StateEventSchema,
  SubscribeAckSchema,
  isTerminalState,
  socketEvents,
  type RunSnapshot,
} from "@/lib/api/schemas";
import { describeError, fetchRun } from "./api-client";
import { appendChunk, emptyOutput, newerSnapshot, type RunOutput } from "./run-output";
import { getSocket } from "./socket-client";

export interface RunView {
  run: RunSnapshot | null;
  output: RunOutput;
  /** Why the run cannot be followed (unknown id, bad reply); the run itself may still be fine. */
  error: string | null;
  /** False while the live connection is down; the view then refreshes by polling. */
  live: boolean;
}

export const initialRunView: RunView = { run: null, output: emptyOutput, error: null, live: false };

const pollMs = 2000;

export function watchRun(runId: string, onChange: (view: RunView) => void): () => void {
  const socket = getSocket();
  let view: RunView = { ...initialRunView, live: socket.connected };
  let closed = false;
  let pollTimer: ReturnType<typeof setInterval> | null = null;

  const update = (patch: Partial<RunView>) => {
    if (closed) return;
    view = { ...view, ...patch };
    onChange(view);
  };
  const takeSnapshot = (run: RunSnapshot) => update({ run: newerSnapshot(view.run, run) });

  const subscribe = () => {
    socket.emit(socketEvents.subscribe, { runId }, (raw: unknown) => {
      const ack = SubscribeAckSchema.safeParse(raw);
      if (!ack.success)
        update({ error: "The server's answer to the subscription has an unexpected shape." });
      else if (ack.data.ok) update({ error: null, run: newerSnapshot(view.run, ack.data.run) });
      else update({ error: ack.data.error.message });
    });
  };

  const onLog = (raw: unknown) => {
    const chunk = LogChunkSchema.safeParse(raw);
    if (!chunk.success || chunk.data.runId !== runId) return;
    const output = appendChunk(view.output, chunk.data);
    if (output !== view.output) update({ output });
  };
  const onState = (raw: unknown) => {
    const event = StateEventSchema.safeParse(raw);
    if (event.success && event.data.runId === runId) takeSnapshot(event.data.run);
  };

  const poll = async () => {
    if (view.run && isTerminalState(view.run.state)) return;
    try {
      takeSnapshot(await fetchRun(runId));
    } catch (err) {
      update({ error: describeError(err) });
    }
  };
  const onConnect = () => {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
    update({ live: true });
    // A reconnected socket is a new server-side session with no rooms: subscribe again.
    subscribe();
  };
  const onDisconnect = () => {
    update({ live: false });
    pollTimer ??= setInterval(() => void poll(), pollMs);
  };

  socket.on(socketEvents.log, onLog);
  socket.on(socketEvents.state, onState);
  socket.on("connect", onConnect);
  socket.on("disconnect", onDisconnect);
  socket.on("connect_error", onDisconnect);
  if (socket.connected) subscribe();
  else onDisconnect();

  return () => {
    closed = true;
    if (pollTimer) clearInterval(pollTimer);
    socket.off(socketEvents.log, onLog);
    socket.off(socketEvents.state, onState);
    socket.off("connect", onConnect);
    socket.off("disconnect", onDisconnect);
    socket.off("connect_error", onDisconnect);
    if (socket.connected) socket.emit(socketEvents.unsubscribe, { runId });
  };
}
