// The sandbox's command for one inference request: infer.mjs from the node-onnx image, with the input as arguments.
import type { InferInput, InferOp } from "@/lib/api/vaccel";
import type { InferRequest } from "./run-mode";

/** CreateRunBody's limit per argument. */
export const maxArgumentChars = 16_384;

const infer = (op: InferOp, iterations: number) =>
  `ORT_DISABLE_TELEMETRY=1 exec node /opt/guest/infer.mjs --op ${op} --iterations ${iterations}`;

/**
 * A generated line is rendered by the workload itself from the text (passed as $1, so no quoting can break it).
 * Image bytes ride as base64 arguments of at most 16 KiB each; busybox joins and decodes them into the sandbox's
 * private /tmp, and the workload reads the file: the run needs no shared folder and no extra channel.
 */
export function inferCommand(request: InferRequest): string[] {
  const { op, iterations, input, size } = request;
  if (input === undefined) {
    // Generated data only: the size is a checked whole number, no quoting needed.
    return ["sh", "-c", `${infer(op, iterations)}${size === undefined ? "" : ` --size ${size}`}`];
  }
  return imageCommand(op, iterations, input);
}

function imageCommand(op: InferOp, iterations: number, input: InferInput): string[] {
  if (input.kind === "text") {
    return ["sh", "-c", `${infer(op, iterations)} --text "$1"`, "infer", input.text];
  }
  const chunks: string[] = [];
  for (let at = 0; at < input.base64.length; at += maxArgumentChars) {
    chunks.push(input.base64.slice(at, at + maxArgumentChars));
  }
  return [
    "sh",
    "-c",
    `printf %s "$@" | base64 -d > /tmp/input || exit 1; ${infer(op, iterations)} --image /tmp/input`,
    "infer",
    ...chunks,
  ];
}
