// The vAccel page's own requests: native inference in the server, and a finished run's output.
import { ApiErrorSchema } from "@/lib/api/schemas";
import {
  NativeInferReplySchema,
  type NativeInferBody,
  type NativeInferReply,
} from "@/lib/api/vaccel";
import { ApiRequestError } from "@/components/live/api-client";

export async function inferNatively(
  body: NativeInferBody,
  signal: AbortSignal,
): Promise<NativeInferReply> {
  const response = await send("/api/vaccel/native", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) throw replyError(response, json);
  const parsed = NativeInferReplySchema.safeParse(json);
  if (!parsed.success) {
    throw new ApiRequestError(
      "The server's reply to the native inference has an unexpected shape.",
      response.status,
      "bad_reply",
    );
  }
  return parsed.data;
}

/** The whole output, as GET /api/runs/:id/logs keeps it (up to the host's output limit). */
export async function fetchRunLogs(runId: string, signal: AbortSignal): Promise<string> {
  const response = await send(`/api/runs/${encodeURIComponent(runId)}/logs`, {
    cache: "no-store",
    signal,
  });
  if (!response.ok) throw replyError(response, await response.json().catch(() => null));
  return response.text();
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiRequestError(
      "The playground server cannot be reached. Is it running, and is the network up?",
      0,
      "network",
    );
  }
}

function replyError(response: Response, json: unknown): ApiRequestError {
  const error = ApiErrorSchema.safeParse(json);
  return error.success
    ? new ApiRequestError(error.data.error.message, response.status, error.data.error.code)
    : new ApiRequestError(
        `The server answered ${response.status} ${response.statusText}.`,
        response.status,
        "http",
      );
}
