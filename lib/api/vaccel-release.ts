// The upstream vAccel release whose RPC wire the agent and guest client speak (server/vaccel/proto/README.md).
export const VACCEL_WIRE_RELEASE = {
  vaccel: "0.8.0",
  vaccelRust: "v0.5.0+vaccel.0.8.0",
  commit: "419c11bc15b5a400146005f585f1521644948f94",
} as const;
