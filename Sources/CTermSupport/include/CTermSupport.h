#ifndef CTERMSUPPORT_H
#define CTERMSUPPORT_H
/// Installs handlers for SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE and SIGABRT that call endwin()
/// and then re-raise through the previous handler, so a crash never leaves the terminal raw.
void cts_install_crash_restore(void);
#endif
