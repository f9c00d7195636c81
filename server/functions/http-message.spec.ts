import { describe, expect, it } from "vitest";
import { encodeRequest, parseResponse } from "./http-message";

const decode = (base64: string) => Buffer.from(base64, "base64").toString("latin1");

describe("encodeRequest", () => {
  it("writes the request line, end-to-end headers and the body", () => {
    const encoded = encodeRequest({
      method: "POST",
      target: "/fn/hello?runtime=runc",
      rawHeaders: ["Host", "localhost", "Connection", "keep-alive", "X-Name", "Ada"],
      body: Buffer.from("hi"),
    });
    expect(decode(encoded)).toBe(
      "POST /fn/hello?runtime=runc HTTP/1.1\r\nHost: localhost\r\nX-Name: Ada\r\nContent-Length: 2\r\n\r\nhi",
    );
  });

  it("states no length for a request without a body", () => {
    const encoded = encodeRequest({
      method: "GET",
      target: "/fn/hello",
      rawHeaders: ["Host", "h", "Content-Length", "0"],
      body: Buffer.alloc(0),
    });
    expect(decode(encoded)).toBe("GET /fn/hello HTTP/1.1\r\nHost: h\r\n\r\n");
  });
});

const response =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"b12"}';

describe("parseResponse", () => {
  it("reads status, headers and body", () => {
    expect(parseResponse(response)).toEqual({
      status: 200,
      statusText: "OK",
      headers: [["Content-Type", "application/json"]],
      body: Buffer.from('{"a":"b12"}'),
    });
  });

  it("skips a VM's boot log and takes CRLF turned into CR CR LF by the serial console", () => {
    const bootLog = [
      "[    0.000000] Linux version 6.1.0-31-amd64 (debian-kernel@lists.debian.org)",
      "[    0.412345] virtio_blk virtio0: [vda] 0 512-byte logical blocks",
      "sbpg-guest: mounting root over 9p",
      "",
    ].join("\n");
    const parsed = parseResponse(bootLog + response.replaceAll("\r\n", "\r\r\n"));
    expect(parsed?.status).toBe(200);
    expect(parsed?.body.toString()).toBe('{"a":"b12"}');
  });

  it("starts at the first response line, so a body may hold another", () => {
    const echo = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nHTTP/1.1 404 Nope\r\n";
    const parsed = parseResponse(echo);
    expect(parsed?.status).toBe(200);
    expect(parsed?.body.toString()).toBe("HTTP/1.1 404 Nope\r\n");
  });

  it("bounds the body by Content-Length, leaving out what the host noted after the run", () => {
    const parsed = parseResponse(`${response}\n[The sandbox was stopped.]\n`);
    expect(parsed?.body.toString()).toBe('{"a":"b12"}');
  });

  it("takes the rest as the body without Content-Length, and counts bytes, not characters", () => {
    expect(parseResponse("HTTP/1.1 201 Created\r\n\r\nné")?.body.length).toBe(3);
    expect(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nébc")?.body.toString()).toBe(
      "é",
    );
  });

  it("drops hop-by-hop headers and keeps repeated ones", () => {
    const parsed = parseResponse(
      "HTTP/1.1 204 No Content\r\nConnection: close\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n",
    );
    expect(parsed?.headers).toEqual([
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
    ]);
  });

  it("refuses output without a response, or with a malformed one", () => {
    expect(parseResponse("Hello from sandbox\n")).toBeNull();
    expect(parseResponse("HTTP/1.1 abc\r\n\r\n")).toBeNull();
    expect(parseResponse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")).toBeNull();
    expect(parseResponse("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")).toBeNull();
    expect(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n")).toBeNull();
  });
});
