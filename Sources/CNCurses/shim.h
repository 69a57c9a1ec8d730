#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1 /* before <ncurses.h>: cchar_t, setcchar, add_wch */
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <signal.h>
#include <ncurses.h>
#include <term.h>
#endif
