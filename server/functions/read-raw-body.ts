// Reads a request body as bytes with a size cap; a body past the cap is refused as soon as it is known.
import type { IncomingMessage } from "node:http";
import { PlaygroundError } from "../errors/playground-error";

export async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new PlaygroundError("too_large", "body", `The request body is larger than ${maxBytes} bytes.`);
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
