/*
 * sbpg-resume VERB ROOT_TAG NEW_ROOT DEV_TEMPLATE ENV_FILE: the snapshot VM's last step before it is saved, and each
 * restored VM's first after, built into the initramfs by guest-helpers.ts. It reports `phase snapshotPoint` on the
 * control port (fd 3) and waits there in its read: the host saves the VM then, so a restored copy wakes up in this
 * process, with no fork or exec to pay before its reseed (the first fork and exec after a restore took ~85 ms,
 * TCG translating the kernel's paths anew). It reads `VERB <seed hex> <epoch ms> <tmpfs bytes> <pooled 0|1>` (VERB: guest-protocol.ts's resumeVerb).
 * Every VM restored from one snapshot wakes with the snapshot's RNG state and clock. Writing to /dev/urandom only
 * mixes into the input pool (Linux 6.1), so the seed goes in with RNDADDENTROPY and RNDRESEEDCRNG makes the crng use
 * it now; the clock is stepped with clock_settime. Then it mounts what the init's mount_root and mount_tmp would
 * (the image's root over 9p read-only, its /proc, a read-only /sys, the snapshot's /dev bound over its /dev, a
 * /tmp), each only where the image has the folder, and writes `ready_tmpfs=` and `warm=` to ENV_FILE for the init to
 * source. Exit 1: the line, reseed or clock, 2: the root, 3: another mount. No libc: raw syscalls, a few KiB.
 */
#include "../raw-syscall.h"

#define SYS_read 0
#define SYS_write 1
#define SYS_ioctl 16
#define SYS_exit 60
#define SYS_mount 165
#define SYS_clock_settime 227
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define MS_RDONLY 1
#define MS_BIND 4096
#define RNDADDENTROPY 0x40085203
#define RNDRESEEDCRNG 0x5207

static struct {
  int entropy_count;
  int buf_size;
  unsigned char buf[256];
} pool;

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static void fail_with(int code, const char *message, const char *detail) {
  sys(SYS_write, 2, (long)message, length(message));
  if (detail) {
    sys(SYS_write, 2, (long)detail, length(detail));
    sys(SYS_write, 2, (long)"\n", 1);
  }
  sys(SYS_exit, code, 0, 0);
}

static void fail(const char *message) { fail_with(1, message, 0); }

static long mount(const char *source, const char *target, const char *type, long flags, const char *data) {
  return sys5(SYS_mount, (long)source, (long)target, (long)type, flags, (long)data);
}

/* As the init's mount_root (cache=loose: the root is read-only for the run's life) and mount_tmp. */
static void mount_all(const char *tag, const char *root, const char *dev_template, const char *tmpfs_bytes) {
  if (mount(tag, root, "9p", MS_RDONLY, "trans=virtio,version=9p2000.L,cache=loose") < 0)
    fail_with(2, "sbpg-resume: cannot mount the root filesystem at ", root);
  const char *proc = join(0, root, "/", "proc"), *sysfs = join(1, root, "/", "sys");
  const char *dev = join(2, root, "/", "dev"), *tmp = join(3, root, "/", "tmp");
  if (is_dir(proc) && mount("proc", proc, "proc", 0, 0) < 0) fail_with(3, "sbpg-resume: cannot mount ", proc);
  if (is_dir(sysfs) && mount("sys", sysfs, "sysfs", MS_RDONLY, 0) < 0)
    fail_with(3, "sbpg-resume: cannot mount ", sysfs);
  if (is_dir(dev) && mount(dev_template, dev, 0, MS_BIND, 0) < 0) fail_with(3, "sbpg-resume: cannot bind ", dev);
  char *options = path_buffers[4];
  const char *prefix = "size=";
  int n = 0;
  for (const char *p = prefix; *p; p++) options[n++] = *p;
  for (const char *p = tmpfs_bytes; *p && n < 230; p++) {
    if (*p < '0' || *p > '9') fail_with(3, "sbpg-resume: the tmpfs size is not a number: ", tmpfs_bytes);
    options[n++] = *p;
  }
  for (const char *p = ",mode=1777"; *p; p++) options[n++] = *p;
  options[n] = 0;
  if (is_dir(tmp) && mount("tmp", tmp, "tmpfs", 0, options) < 0) fail_with(3, "sbpg-resume: cannot mount ", tmp);
}

static void reseed_and_clock(int fd, const char *hex, const char *ms) {
  int n = 0;
  while (hex[2 * n] && hex[2 * n + 1] && n < (int)sizeof pool.buf) {
    int hi = hexval(hex[2 * n]), lo = hexval(hex[2 * n + 1]);
    if (hi < 0 || lo < 0) fail("sbpg-resume: the seed is not hex\n");
    pool.buf[n++] = (unsigned char)(hi << 4 | lo);
  }
  if (n < 32) fail("sbpg-resume: the seed is under 32 bytes\n");
  pool.buf_size = n;
  pool.entropy_count = n * 8;
  if (sys(SYS_ioctl, fd, RNDADDENTROPY, (long)&pool) < 0) fail("sbpg-resume: RNDADDENTROPY failed\n");
  if (sys(SYS_ioctl, fd, RNDRESEEDCRNG, 0) < 0) fail("sbpg-resume: RNDRESEEDCRNG failed\n");
  u64 t = 0;
  for (const char *p = ms; *p; p++) {
    if (*p < '0' || *p > '9') fail("sbpg-resume: the clock is not a number\n");
    t = t * 10 + (u64)(*p - '0');
  }
  struct { long sec, nsec; } now = { (long)(t / 1000), (long)(t % 1000) * 1000000L };
  if (sys(SYS_clock_settime, 0, (long)&now, 0) < 0) fail("sbpg-resume: clock_settime failed\n");
}

/* The resume line, up to its newline and no further (the run's line follows it on the same port). */
static char line[512];
static char *words[6];

static int same(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static int read_line(void) {
  int n = 0;
  while (n < (int)sizeof line - 1) {
    long got = sys(SYS_read, 3, (long)(line + n), 1);
    if (got <= 0) fail("sbpg-resume: the control port closed before the resume line\n");
    if (line[n] == '\n') break;
    n++;
  }
  line[n] = 0;
  int count = 0;
  for (char *p = line; *p && count < 6;) {
    while (*p == ' ') *p++ = 0;
    if (!*p) break;
    words[count++] = p;
    while (*p && *p != ' ') p++;
  }
  return count;
}

static void write_env(const char *file, const char *tmpfs_bytes, const char *pooled) {
  long fd = sys(SYS_open, (long)file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail_with(1, "sbpg-resume: cannot write ", file);
  const char *parts[] = {"ready_tmpfs=", tmpfs_bytes, "\nwarm=", pooled, "\n"};
  for (int i = 0; i < 5; i++) sys(SYS_write, fd, (long)parts[i], length(parts[i]));
  sys(SYS_close, fd, 0, 0);
}

__attribute__((used)) static void start_c(long *sp) {
  if (sp[0] != 6) fail("usage: sbpg-resume VERB ROOT_TAG NEW_ROOT DEV_TEMPLATE ENV_FILE\n");
  char **argv = (char **)(sp + 1);
  /* Opened before the save: one syscall fewer after the restore. */
  int urandom = (int)sys(SYS_open, (long)"/dev/urandom", 1, 0);
  if (urandom < 0) fail("sbpg-resume: cannot open /dev/urandom\n");
  const char *point = "phase snapshotPoint\n";
  sys(SYS_write, 3, (long)point, length(point));
  /* The snapshot is taken here; from the read's return on this is one restored copy. */
  int count = read_line();
  if (count != 5 || !same(words[0], argv[1])) fail_with(1, "sbpg-resume: expected a resume line, got: ", line);
  const char *pooled = words[4];
  if ((pooled[0] != '0' && pooled[0] != '1') || pooled[1]) fail("sbpg-resume: pooled is not 0 or 1\n");
  reseed_and_clock(urandom, words[1], words[2]);
  sys(SYS_close, urandom, 0, 0);
  mount_all(argv[2], argv[3], argv[4], words[3]);
  write_env(argv[5], words[3], pooled);
  sys(SYS_exit, 0, 0, 0);
}
