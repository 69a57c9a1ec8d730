#include "CTermSupport.h"
#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <signal.h>
#include <string.h>
#include <termios.h>

static const int crash_signals[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
enum { crash_signal_count = sizeof(crash_signals) / sizeof(crash_signals[0]) };
static struct sigaction previous[crash_signal_count];

static void restore_then_reraise(int sig) {
  endwin();
  for (int i = 0; i < crash_signal_count; i++) {
    if (crash_signals[i] == sig) {
      sigaction(sig, &previous[i], NULL); /* the Swift backtracer, or the default */
      break;
    }
  }
  /* Returning re-executes the faulting instruction (or raise() for SIGABRT), now under the old handler. */
  if (sig == SIGABRT) raise(sig);
}

void cts_install_crash_restore(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = restore_then_reraise;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < crash_signal_count; i++) sigaction(crash_signals[i], &sa, &previous[i]);
}

int cts_disable_flow_control(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) != 0) return -1;
  t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
  t.c_lflag &= ~(tcflag_t)IEXTEN;
  return tcsetattr(fd, TCSANOW, &t);
}
