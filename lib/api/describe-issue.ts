// A failed zod parse in words, written once for HTTP bodies, socket payloads, recordings, forms and the guest's flags.
import type { z } from "zod";

/** How a field's path reads where the message is shown; "" for none. */
export type IssuePath = (path: PropertyKey[]) => string;

const dotted: IssuePath = (path) => path.map(String).join(".");

/**
 * "field: message" for a parse's first issue (or one issue), the message alone where the value as a whole is
 * wrong, "malformed" where zod names none.
 */
export function describeIssue(
  failure: z.ZodError | z.core.$ZodIssue,
  formatPath: IssuePath = dotted,
): string {
  const issue = "issues" in failure ? failure.issues[0] : failure;
  if (!issue) return "malformed";
  const where = formatPath(issue.path);
  return where ? `${where}: ${issue.message}` : issue.message;
}
