// Reads a JSON request body with a size cap; a body past the cap is refused before it is parsed.
import type { IncomingMessage } from "node:http";
import { PlaygroundError } from "../errors/playground-error";

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new PlaygroundError(
      "bad_request",
      "content_type",
      "Send the body as JSON with Content-Type: application/json.",
    );
  }
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new PlaygroundError(
      "too_large",
      "body",
      `The request body is larger than ${maxBytes} bytes.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      throw new PlaygroundError(
        "too_large",
        "body",
        `The request body is larger than ${maxBytes} bytes.`,
      );
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new PlaygroundError("bad_request", "json", "The request body is not valid JSON.");
  }
}
