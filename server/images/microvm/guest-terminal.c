/*
 * sbpg-term N ROWS COLS ROOT JOB: a microVM session's shell on virtconsole port N, started by the init's
 * start_terminal (guest-init.ts) in one exec where busybox took seven (mknod, stty, setsid, sh -c, env, chroot,
 * sh -c), each ~12 ms under TCG. It waits for /dev/hvcN, makes ROOT/dev/hvcN where ROOT has a /dev (the shell's own
 * tty in its small /dev, so ttyname(3) finds it; never the other ports), opens it as stdin, stdout and stderr,
 * resets it as `stty sane` does and sets its size, leads a new session with it as the controlling tty, writes its
 * pid to JOB (the init's hangup reads it), chroots into ROOT, changes to /root (or /) and execs /bin/sh -i with
 * the guest's environment. Exit 127: no such port; 126: a step before the shell failed (stderr says which).
 */
#include "../raw-syscall.h"

#define SYS_read 0
#define SYS_write 1
#define SYS_ioctl 16
#define SYS_nanosleep 35
#define SYS_dup2 33
#define SYS_getpid 39
#define SYS_execve 59
#define SYS_exit 60
#define SYS_chdir 80
#define SYS_setsid 112
#define SYS_mknod 133
#define SYS_chroot 161
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define S_IFCHR 0020000
#define EEXIST 17
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TIOCSCTTY 0x540e
#define TIOCSWINSZ 0x5414

/* The kernel's struct termios (asm-generic/termbits.h), not libc's. */
struct termios {
  unsigned int iflag, oflag, cflag, lflag;
  unsigned char line, cc[19];
};
struct winsize {
  unsigned short rows, cols, xpixel, ypixel;
};

static void fail(const char *what, const char *detail, int code) {
  sys(SYS_write, 2, (long)"sbpg-term: ", 11);
  sys(SYS_write, 2, (long)what, length(what));
  sys(SYS_write, 2, (long)detail, length(detail));
  sys(SYS_write, 2, (long)"\n", 1);
  sys(SYS_exit, code, 0, 0);
}

static unsigned long number(const char *text, const char *what) {
  unsigned long n = 0;
  if (!*text) fail("not a number: ", what, 126);
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9' || n > 100000) fail("not a number: ", what, 126);
    n = n * 10 + (unsigned long)(*p - '0');
  }
  return n;
}

/* The port's device number, from /sys/class/tty/hvcN/dev ("229:0"): the port may still be appearing, so it waits. */
static unsigned long device_of(const char *port) {
  const char *file = join(0, "/sys/class/tty/hvc", port, "/dev");
  struct { long sec, nsec; } tick = {0, 10 * 1000 * 1000};
  long fd = -1;
  for (int tries = 0; tries < 200 && (fd = sys(SYS_open, (long)file, 0, 0)) < 0; tries++)
    sys(SYS_nanosleep, (long)&tick, 0, 0);
  if (fd < 0) fail("no such terminal port: hvc", port, 127);
  char text[32];
  long got = sys(SYS_read, fd, (long)text, sizeof text - 1);
  sys(SYS_close, fd, 0, 0);
  if (got <= 0) fail("cannot read ", file, 126);
  unsigned long major = 0, minor = 0, *at = &major;
  for (long i = 0; i < got; i++) {
    if (text[i] == ':') at = &minor;
    else if (text[i] >= '0' && text[i] <= '9') *at = *at * 10 + (unsigned long)(text[i] - '0');
  }
  /* The kernel's new_encode_dev. */
  return (minor & 0xff) | (major << 8) | ((minor & ~0xffUL) << 12);
}

/* As `stty sane`: line editing, echo and signals on, the special characters at their defaults; speed kept. */
static void sane(struct termios *t) {
  t->iflag = (t->iflag & ~(01u | 0100u | 0200u | 01000u | 04000u | 010000u)) | 02u | 0400u | 020000u;
  t->oflag = 01u | 04u;
  t->cflag |= 0200u;
  t->lflag = 01u | 02u | 010u | 020u | 040u | 01000u | 04000u | 0100000u;
  static const unsigned char defaults[17] = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0};
  for (int i = 0; i < 17; i++) t->cc[i] = defaults[i];
}

static char *shell_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    "TERM=xterm-256color",
    0,
};

__attribute__((used)) static void start_c(long *sp) {
  if (sp[0] != 6) fail("usage: sbpg-term N ROWS COLS ROOT JOB", "", 126);
  char **argv = (char **)(sp + 1);
  const char *port = argv[1], *root = argv[4], *job = argv[5];
  struct winsize size = {(unsigned short)number(argv[2], "rows"), (unsigned short)number(argv[3], "cols"), 0, 0};
  number(port, "port");
  unsigned long device = device_of(port);
  const char *tty = join(1, "/dev/hvc", port, "");
  if (is_dir(join(2, root, "/dev", ""))) {
    tty = join(1, root, "/dev/hvc", port);
    long made = sys(SYS_mknod, (long)tty, S_IFCHR | 0600, (long)device);
    if (made < 0 && made != -EEXIST) fail("cannot make ", tty, 126);
  }
  long fd = sys(SYS_open, (long)tty, O_RDWR | O_NOCTTY, 0);
  if (fd < 0) fail("cannot open ", tty, 126);
  for (int i = 0; i < 3; i++) sys(SYS_dup2, fd, i, 0);
  if (fd > 2) sys(SYS_close, fd, 0, 0);
  struct termios t;
  if (sys(SYS_ioctl, 0, TCGETS, (long)&t) < 0) fail("not a tty: ", tty, 126);
  sane(&t);
  if (sys(SYS_ioctl, 0, TCSETS, (long)&t) < 0) fail("cannot set the modes of ", tty, 126);
  if (sys(SYS_ioctl, 0, TIOCSWINSZ, (long)&size) < 0) fail("cannot size ", tty, 126);
  if (sys(SYS_setsid, 0, 0, 0) < 0) fail("cannot start a session", "", 126);
  if (sys(SYS_ioctl, 0, TIOCSCTTY, 1) < 0) fail("cannot take the controlling tty ", tty, 126);
  long pidfile = sys(SYS_open, (long)job, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (pidfile < 0) fail("cannot write ", job, 126);
  char digits[24];
  int n = sizeof digits;
  for (unsigned long pid = (unsigned long)sys(SYS_getpid, 0, 0, 0); n == sizeof digits || pid; pid /= 10)
    digits[--n] = (char)('0' + pid % 10);
  sys(SYS_write, pidfile, (long)(digits + n), sizeof digits - n);
  sys(SYS_close, pidfile, 0, 0);
  if (sys(SYS_chroot, (long)root, 0, 0) < 0) fail("cannot chroot into ", root, 126);
  if (sys(SYS_chdir, (long)"/root", 0, 0) < 0) sys(SYS_chdir, (long)"/", 0, 0);
  char *shell[] = {"sh", "-i", 0};
  sys(SYS_execve, (long)"/bin/sh", (long)shell, (long)shell_env);
  fail("cannot run /bin/sh in ", root, 126);
}
