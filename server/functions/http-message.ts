// CGI-style HTTP over a sandbox's argv and stdout: the request in, encoded; the response out, found in the run's output.

export interface RawRequest {
  method: string;
  /** The request target as the client sent it: path and query. */
  target: string;
  /** Node's rawHeaders: name, value, name, value, … */
  rawHeaders: string[];
  body: Buffer;
}

/** Headers that describe one hop's connection, not the message; the gateway sets its own. */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
  "content-length",
]);

/** Node's rawHeaders as name/value pairs, without the hop-by-hop ones. */
export function endToEndHeaders(rawHeaders: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (!hopByHop.has(name.toLowerCase())) pairs.push([name, rawHeaders[i + 1]]);
  }
  return pairs;
}

/** The request as HTTP/1.1 bytes, base64 so it travels as one argv string. */
export function encodeRequest(request: RawRequest): string {
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  for (const [name, value] of endToEndHeaders(request.rawHeaders)) lines.push(`${name}: ${value}`);
  if (request.body.length > 0) lines.push(`Content-Length: ${request.body.length}`);
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return Buffer.concat([head, request.body]).toString("base64");
}

export interface ParsedResponse {
  status: number;
  statusText: string;
  /** End-to-end headers only, in the order written. */
  headers: Array<[string, string]>;
  body: Buffer;
}

const statusLine = /^HTTP\/1\.[01] ([1-5]\d\d)(?: ([\t\x20-\x7e]*))?\r*$/;
/** A token for a name, visible ASCII for a value: what Node will send on without refusing it. */
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):([\t\x20-\x7e]*?)\r*$/;

/**
 * Finds the function's response in a run's output. A VM's output starts with its kernel's boot log
 * (the run keeps console and workload output in one text), so the response starts at the first line
 * that begins with "HTTP/1."; the boot log never has one. The first, not the last: a body may well
 * hold such a line (a function that echoes a message). Lines may end in \r\n or, through a VM's serial
 * console, \r\r\n. Content-Length, when given, bounds the body, so a note the host appends after the
 * run (why it ended) stays out of it.
 */
export function parseResponse(output: string): ParsedResponse | null {
  const start = /(?:^|\n)(?=HTTP\/1\.[01] )/.exec(output);
  if (!start) return null;
  const message = output.slice(start.index + start[0].length);
  const headEnd = /\r*\n\r*\n/.exec(message);
  const head = headEnd ? message.slice(0, headEnd.index) : message;
  const rest = headEnd ? message.slice(headEnd.index + headEnd[0].length) : "";
  const [first, ...headerLines] = head.split(/\r*\n/);
  const status = statusLine.exec(first);
  if (!status) return null;
  const headers: Array<[string, string]> = [];
  for (const line of headerLines) {
    const header = headerLine.exec(line);
    if (!header) return null;
    headers.push([header[1], header[2].trim()]);
  }
  let body = Buffer.from(rest, "utf8");
  const length = headers.find(([name]) => name.toLowerCase() === "content-length")?.[1];
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) return null;
    body = body.subarray(0, Number(length));
  }
  return {
    status: Number(status[1]),
    statusText: status[2] ?? "",
    headers: headers.filter(([name]) => !hopByHop.has(name.toLowerCase())),
    body,
  };
}
