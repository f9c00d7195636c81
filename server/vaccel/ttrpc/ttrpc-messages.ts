// ttrpc.Request / ttrpc.Response (proto/ttrpc.proto): the envelope inside every request and response frame.
import { decodeMessage, encodeMessage, lookupMessage } from "../proto-root";
import type { StatusDetail } from "./ttrpc-error";

const requestType = lookupMessage("ttrpc.Request");
const responseType = lookupMessage("ttrpc.Response");

export interface TtrpcRequest {
  service: string;
  method: string;
  payload: Uint8Array;
  timeout_nano: number;
  metadata: Array<{ key: string; value: string }>;
}

export interface TtrpcStatus {
  code: number;
  message: string;
  details: StatusDetail[];
}

export interface TtrpcResponse {
  /** null when the peer left the field out; ttrpc treats that as OK. */
  status: TtrpcStatus | null;
  payload: Uint8Array;
}

export function encodeTtrpcRequest(
  request: Partial<TtrpcRequest> & { service: string; method: string },
): Uint8Array {
  return encodeMessage(requestType, request);
}

/** Throws on bytes that are not a ttrpc.Request (protobufjs reports truncation and bad wire types). */
export function decodeTtrpcRequest(bytes: Uint8Array): TtrpcRequest {
  return decodeMessage<TtrpcRequest>(requestType, bytes);
}

export function encodeTtrpcResponse(response: {
  status: Partial<TtrpcStatus>;
  payload?: Uint8Array;
}): Uint8Array {
  return encodeMessage(responseType, response);
}

export function decodeTtrpcResponse(bytes: Uint8Array): TtrpcResponse {
  // With defaults on, protobufjs writes an absent message field as null.
  const plain = decodeMessage<{ status: TtrpcStatus | null; payload: Uint8Array }>(
    responseType,
    bytes,
  );
  return { status: plain.status ?? null, payload: plain.payload };
}
