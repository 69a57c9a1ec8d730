#ifndef CTERMSUPPORT_H
#define CTERMSUPPORT_H
/// Installs handlers for SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE and SIGABRT that call endwin()
/// and then re-raise through the previous handler, so a crash never leaves the terminal raw.
void cts_install_crash_restore(void);

/// Turns off, on the terminal at fd, the driver's XON/XOFF flow control (IXON, IXOFF: Ctrl-S
/// would stop all output until Ctrl-Q, so the screen froze and even q was never answered) and its
/// extended input processing (IEXTEN: Ctrl-O discards output, Ctrl-V quotes the next key). Signal
/// keys (Ctrl-C, Ctrl-Z, Ctrl-\) still work. Returns 0, or -1 if fd is not a terminal.
int cts_disable_flow_control(int fd);
#endif
