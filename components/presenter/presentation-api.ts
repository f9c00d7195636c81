// The presenter's one HTTP call: start presenting a track. The reply is parsed before the page sees it.
import { ApiErrorSchema } from "@/lib/api/schemas";
import {
  CreatePresentationReplySchema,
  type CreatePresentationBody,
  type CreatePresentationReply,
} from "@/lib/api/presenter";

export async function createPresentation(
  body: CreatePresentationBody,
): Promise<CreatePresentationReply> {
  let response: Response;
  try {
    response = await fetch("/api/presentations", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error(
      "The playground server cannot be reached. Is it running, and is the network up?",
    );
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiErrorSchema.safeParse(json);
    throw new Error(
      error.success ? error.data.error.message : `The server answered ${response.status}.`,
    );
  }
  const reply = CreatePresentationReplySchema.safeParse(json);
  if (!reply.success) throw new Error("The server's reply has an unexpected shape.");
  return reply.data;
}
