// Shell lines integration tests run inside a microVM guest to read what it was given.

/** Prints `ports=<names>,` sorted: the guest's named virtio-serial ports (control, sessions' terminals, vAccel). */
export const guestPortNamesScript =
  'printf ports=; for f in /sys/class/virtio-ports/*/name; do cat "$f"; done | sort | tr "\\n" ,; echo';
