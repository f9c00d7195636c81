/*
 * What the static helpers (static-helper.ts builds them) share: x86-64 Linux syscalls without libc, two path
 * helpers, and the entry point. Each helper defines start_c(long *sp), which the kernel's stack reaches with argc at sp[0], then argv, a
 * null, then the environment; the helpers never return from it.
 */
#ifndef SBPG_RAW_SYSCALL_H
#define SBPG_RAW_SYSCALL_H

typedef unsigned long u64;

static long sys(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

/* The fourth and fifth arguments go in r10 and r8 (prctl checks that the ones it does not use are 0). */
__attribute__((unused)) static long sys5(long n, long a, long b, long c, long d, long e) {
  long r;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(r)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return r;
}

static long length(const char *s) {
  long n = 0;
  while (s[n]) n++;
  return n;
}

#define SYS_open 2
#define SYS_close 3
#define O_DIRECTORY 0200000

/* Whether path is a directory one can open. */
__attribute__((unused)) static int is_dir(const char *path) {
  long fd = sys(SYS_open, (long)path, O_DIRECTORY, 0);
  if (fd < 0) return 0;
  sys(SYS_close, fd, 0, 0);
  return 1;
}

/* Up to three parts joined into path_buffers[slot] (paths here are short and fixed by the init; longer ones are cut). */
static char path_buffers[5][256];
__attribute__((unused)) static const char *join(int slot, const char *a, const char *b, const char *c) {
  char *out = path_buffers[slot];
  int n = 0;
  for (const char *part[] = {a, b, c}, **p = part; p < part + 3; p++)
    for (const char *q = *p; *q && n < 254; q++) out[n++] = *q;
  out[n] = 0;
  return out;
}

__asm__(".global _start\n_start:\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call start_c\n");

#endif
