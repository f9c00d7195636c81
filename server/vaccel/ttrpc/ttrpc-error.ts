// The one error a ttrpc call fails with: a status code and message as they travel on the wire.
import { statusCodeName } from "./status-code";

/** A google.protobuf.Any as ttrpc.Status.details carries it. */
export interface StatusDetail {
  type_url: string;
  value: Uint8Array;
}

export class TtrpcError extends Error {
  readonly code: number;
  readonly details: StatusDetail[];

  constructor(code: number, message: string, details: StatusDetail[] = []) {
    super(`${statusCodeName(code)}: ${message}`);
    this.name = "TtrpcError";
    this.code = code;
    this.details = details;
  }

  /** The message as the peer sent it, without the code prefix. */
  get statusMessage(): string {
    return this.message.slice(this.message.indexOf(": ") + 2);
  }
}
