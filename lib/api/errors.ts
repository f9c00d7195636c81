// The closed vocabulary of error codes: every code an API reply, a socket ack or a run's end can carry, in one place.
// Codes read "<kind>:<subject>" so a client can branch on the kind; each has exactly one HTTP status here.

/** Every code a request can be refused with, and its HTTP status. */
export const requestErrorStatus = {
  "bad_request:json": 400,
  "bad_request:content_type": 400,
  "bad_request:run": 400,
  "bad_request:function": 400,
  "bad_request:image": 400,
  "bad_request:lifetime": 400,
  "bad_request:idle": 400,
  "bad_request:limits": 400,
  "bad_request:step": 400,
  "bad_request:timeout": 400,
  "bad_request:vaccel": 400,
  "bad_request:vaccel_address": 400,
  "bad_request:vaccel_serial": 400,
  "bad_request:workshop": 400,
  "bad_request:extend": 400,
  "bad_request:join": 400,
  "bad_request:progress": 400,
  "bad_request:exec": 400,
  "bad_request:knative": 400,
  "bad_request:subscribe": 400,
  "bad_request:presentation:join": 400,
  "bad_request:presentation:leave": 400,
  "bad_request:presentation:step": 400,
  "bad_request:presentation:runs": 400,
  "bad_request:presentation:terminals": 400,
  "bad_request:terminal_open": 400,
  "bad_request:terminal_attach": 400,
  "bad_request:terminal_input": 400,
  "bad_request:terminal_resize": 400,
  "bad_request:terminal_close": 400,
  "bad_request:presentation": 400,
  "bad_request:session": 400,
  "bad_request:lab": 400,
  "bad_request:lab_session": 400,
  "bad_request:lab:watch": 400,
  "bad_request:lab:reveal": 400,
  "bad_request:lab:follow": 400,
  /** No credentials where some are needed (an attendee cookie, a facilitator token). */
  "unauthorized:attendee": 401,
  "unauthorized:facilitator": 401,
  /** Labs keep progress per browser: a request without the visitor cookie has nowhere to keep it. */
  "unauthorized:visitor": 401,
  /** Credentials that do not grant this (another workshop's token, an ended workshop). */
  "forbidden:facilitator": 403,
  "forbidden:presenter": 403,
  "forbidden:run": 403,
  /** A facilitator watching an attendee's session may read it, not type into it or run commands. */
  "forbidden:session_read_only": 403,
  "forbidden:terminal_read_only": 403,
  "forbidden:workshop_ended": 403,
  "forbidden:workshop_expired": 403,
  "not_found:demo": 404,
  "not_found:function": 404,
  "not_found:image": 404,
  "not_found:presentation": 404,
  "not_found:route": 404,
  "not_found:run": 404,
  "not_found:runtime": 404,
  "not_found:session": 404,
  "not_found:step": 404,
  "not_found:terminal": 404,
  "not_found:track": 404,
  "not_found:workshop": 404,
  "method:not_allowed": 405,
  "conflict:attendee_name": 409,
  "conflict:lab_session": 409,
  "conflict:port": 409,
  "conflict:run_running": 409,
  "conflict:session_state": 409,
  "conflict:state_dir": 409,
  "conflict:step_checked": 409,
  "conflict:step_locked": 409,
  "conflict:step_unchecked": 409,
  "conflict:track": 409,
  "conflict:workshop_ended": 409,
  "conflict:workshop_expired": 409,
  "conflict:workshop_full": 409,
  /** Something this host lacks or cannot do now; the request may work elsewhere or later. */
  "unavailable:image": 409,
  /** The cluster serves no Knative Services for this (Knative absent, a feature flag off, not deployed yet). */
  "unavailable:knative": 409,
  "unavailable:runtime": 409,
  "unavailable:session_runtime": 409,
  "unavailable:session_workshop": 409,
  "unavailable:sessions": 409,
  "unavailable:vaccel": 409,
  "unavailable:vaccel_host_agent": 409,
  "unavailable:vaccel_vsock": 409,
  /** The host is shutting down: the service, not the request, is unavailable. */
  "unavailable:host": 503,
  "too_large:body": 413,
  "quota:host_full": 429,
  "quota:knative": 429,
  "quota:presentations": 429,
  "quota:presentations_per_address": 429,
  "quota:runs_per_address": 429,
  "quota:runs_per_client": 429,
  "quota:sessions_per_client": 429,
  "quota:terminal_input": 429,
  "quota:terminals_per_session": 429,
  "quota:vaccel_native": 429,
  "quota:workshop": 429,
  "quota:workshops": 429,
  "quota:workshops_per_address": 429,
  "internal:join_code": 500,
  "internal:server": 500,
  /** A sandboxed function that gave no valid reply: the upstream failed, not the playground. */
  "bad_gateway:function": 502,
  /** A Knative Service that did not answer, or answered through a failing activator or ingress. */
  "bad_gateway:knative": 502,
} as const;

export type RequestErrorCode = keyof typeof requestErrorStatus;
export type ErrorKind = RequestErrorCode extends `${infer K}:${string}` ? K : never;
/** The subjects a kind may name: a kind and a subject that do not belong together do not compile. */
export type ErrorSubject<K extends ErrorKind> = RequestErrorCode extends infer C
  ? C extends `${K}:${infer S}`
    ? S
    : never
  : never;

/** How a run ended when it did not simply exit with a code (RunSnapshot.error.code). */
export const runEndCodes = [
  "stopped",
  "stopped:shutdown",
  "limit:timeout",
  "limit:output",
  /** The sandbox never started. */
  "runtime:launch",
  /** It started and went away before its workload ended. */
  "runtime:crashed",
] as const;
export type RunEndCode = (typeof runEndCodes)[number];

export const requestErrorCodes = Object.keys(requestErrorStatus) as [
  RequestErrorCode,
  ...RequestErrorCode[],
];

export function isRequestErrorCode(code: string): code is RequestErrorCode {
  return Object.hasOwn(requestErrorStatus, code);
}
