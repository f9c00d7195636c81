// A listener that cannot bind says which address, what holds it, and which variable moves it: no stack trace.
import { PlaygroundError } from "../errors/playground-error";

/** EADDRINUSE / EACCES from listen() as conflict:port naming the address and the setting to change; else err. */
export function portTakenError(err: unknown, what: string, address: string, hint: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === "EADDRINUSE")
    return new PlaygroundError(
      "conflict",
      "port",
      `${what} cannot listen on ${address}: another process already does (another playground?). ${hint}`,
      { cause: err },
    );
  if (code === "EACCES")
    return new PlaygroundError(
      "conflict",
      "port",
      `${what} cannot listen on ${address}: not allowed for this user. ${hint}`,
      { cause: err },
    );
  return err;
}
