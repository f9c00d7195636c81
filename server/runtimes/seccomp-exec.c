/*
 * sbpg-seccomp-exec FILTER COMMAND [ARG...]: installs the classic BPF seccomp filter in the file FILTER
 * (seccomp-bpf.ts wrote it), then execs COMMAND, looked up in PATH as a shell does. runsc before google/gvisor#12692
 * leaves the container's OCI seccomp profile off the processes `runsc exec` starts, so a gVisor session starts
 * each command and terminal through this: they and their children run under the same filter as a run.
 * No libc: raw syscalls, so it is a few KiB, static, and runs in any image (built by seccomp-exec.ts).
 */
#include "../images/raw-syscall.h"

#define SYS_read 0
#define SYS_write 1
#define SYS_execve 59
#define SYS_exit 60
#define SYS_prctl 157
#define SYS_seccomp 317
#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_SET_MODE_FILTER 1
#define ENOENT 2
#define EACCES 13
#define MAX_INSNS 4096

struct sock_filter {
  unsigned short code;
  unsigned char jt, jf;
  unsigned int k;
};
struct sock_fprog {
  unsigned short len;
  struct sock_filter *filter;
};

/* One more than the kernel takes, so a longer file is noticed rather than cut short. */
static struct sock_filter program[MAX_INSNS + 1];
static char candidate[4096];

static void say(const char *a, const char *b) {
  sys(SYS_write, 2, (long)"sbpg-seccomp-exec: ", 19);
  sys(SYS_write, 2, (long)a, length(a));
  sys(SYS_write, 2, (long)b, length(b));
  sys(SYS_write, 2, (long)"\n", 1);
}

static void fail(const char *a, const char *b, long code) {
  say(a, b);
  sys(SYS_exit, code, 0, 0);
}

static void install(const char *file) {
  int fd = (int)sys(SYS_open, (long)file, 0, 0);
  if (fd < 0) fail("cannot open the filter ", file, 125);
  long total = 0, got;
  while ((got = sys(SYS_read, fd, (long)program + total, (long)sizeof program - total)) > 0) total += got;
  sys(SYS_close, fd, 0, 0);
  if (got < 0 || total == 0 || total % sizeof program[0] || total > MAX_INSNS * (long)sizeof program[0])
    fail("not a seccomp program: ", file, 125);
  struct sock_fprog prog = {(unsigned short)(total / sizeof program[0]), program};
  if (sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs refused", "", 125);
  if (sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog) < 0) fail("the filter was refused", "", 125);
}

/* execve returns only on failure; a shell says 127 for a command it cannot find, 126 for one it cannot run. */
static void run(char **argv, char **envp) {
  const char *command = argv[0];
  for (const char *p = command; *p; p++)
    if (*p == '/') {
      long err = sys(SYS_execve, (long)command, (long)argv, (long)envp);
      fail(command, err == -ENOENT ? ": not found" : ": cannot run", err == -ENOENT ? 127 : 126);
    }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = envp; *e; e++)
    if (e[0][0] == 'P' && e[0][1] == 'A' && e[0][2] == 'T' && e[0][3] == 'H' && e[0][4] == '=') path = *e + 5;
  long denied = 0, n = length(command);
  while (*path) {
    long dir = 0;
    while (path[dir] && path[dir] != ':') dir++;
    if (dir + 1 + n < (long)sizeof candidate) {
      long at = 0;
      for (long i = 0; i < dir; i++) candidate[at++] = path[i];
      if (dir) candidate[at++] = '/';
      for (long i = 0; i <= n; i++) candidate[at++] = command[i];
      long err = sys(SYS_execve, (long)candidate, (long)argv, (long)envp);
      if (err == -EACCES) denied = 1;
    }
    path += dir;
    if (*path == ':') path++;
  }
  fail(command, denied ? ": cannot run" : ": not found", denied ? 126 : 127);
}

/* The kernel starts us here with argc at the stack pointer, then argv, a null, then the environment. */
__attribute__((used)) static void start_c(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
  if (argc < 3) fail("usage: sbpg-seccomp-exec FILTER COMMAND [ARG...]", "", 125);
  install(argv[1]);
  run(argv + 2, envp);
}
