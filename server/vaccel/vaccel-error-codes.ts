// vAccel's return codes: errno values (include/vaccel/error.h at v0.8.0), the ffi_error a guest's libvaccel returns.
export const VACCEL_EPERM = 1;
export const VACCEL_ENOMEM = 12;
export const VACCEL_EINVAL = 22;
export const VACCEL_ERANGE = 34;
export const VACCEL_EBACKEND = 71;
export const VACCEL_ENOTSUP = 95;
