/*
 * sbpg-resume <seed hex> <epoch ms>: a restored microVM's first step, built into the initramfs by guest-resume.ts.
 * Every VM restored from one snapshot wakes with the snapshot's RNG state and clock. Writing to /dev/urandom only
 * mixes into the input pool (Linux 6.1), so the seed goes in with RNDADDENTROPY and RNDRESEEDCRNG makes the crng
 * use it now; the clock is stepped with clock_settime. No libc: raw syscalls, so it is a few KiB and static.
 */
typedef unsigned long u64;

static long sys(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

#define SYS_write 1
#define SYS_open 2
#define SYS_ioctl 16
#define SYS_exit 60
#define SYS_clock_settime 227
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

static void fail(const char *message) {
  long len = 0;
  while (message[len]) len++;
  sys(SYS_write, 2, (long)message, len);
  sys(SYS_exit, 1, 0, 0);
}

static void resume(char **argv) {
  const char *hex = argv[1], *ms = argv[2];
  if (!hex || !ms) fail("usage: sbpg-resume SEED_HEX EPOCH_MS\n");
  int n = 0;
  while (hex[2 * n] && hex[2 * n + 1] && n < (int)sizeof pool.buf) {
    int hi = hexval(hex[2 * n]), lo = hexval(hex[2 * n + 1]);
    if (hi < 0 || lo < 0) fail("sbpg-resume: the seed is not hex\n");
    pool.buf[n++] = (unsigned char)(hi << 4 | lo);
  }
  if (n < 32) fail("sbpg-resume: the seed is under 32 bytes\n");
  pool.buf_size = n;
  pool.entropy_count = n * 8;
  int fd = (int)sys(SYS_open, (long)"/dev/urandom", 1, 0);
  if (fd < 0) fail("sbpg-resume: cannot open /dev/urandom\n");
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

/* The kernel starts us here with argc at the stack pointer and argv after it. */
__attribute__((used)) static void start_c(long *sp) {
  resume((char **)(sp + 1));
  sys(SYS_exit, 0, 0, 0);
}

__asm__(".global _start\n_start:\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call start_c\n");
