#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1 /* before <ncurses.h>: cchar_t, setcchar, add_wch */
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ncurses.h>
#include <term.h>

/* Swift cannot import macros that are not plain literals, nor use C globals such as stdscr
   under strict concurrency; these functions stand in for them. */

static inline attr_t cn_A_BOLD(void) { return A_BOLD; }
static inline attr_t cn_A_DIM(void) { return A_DIM; }
static inline attr_t cn_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t cn_A_UNDERLINE(void) { return A_UNDERLINE; }

static inline int cn_KEY_CODE_YES(void) { return KEY_CODE_YES; }
static inline int cn_KEY_F(int n) { return KEY_F(n); }

static inline mmask_t cn_BUTTON1_PRESSED(void) { return BUTTON1_PRESSED; }
static inline mmask_t cn_BUTTON3_PRESSED(void) { return BUTTON3_PRESSED; }
static inline mmask_t cn_BUTTON4_PRESSED(void) { return BUTTON4_PRESSED; }
static inline mmask_t cn_BUTTON5_PRESSED(void) { return BUTTON5_PRESSED; }
static inline mmask_t cn_BUTTON1_RELEASED(void) { return BUTTON1_RELEASED; }
static inline mmask_t cn_BUTTON3_RELEASED(void) { return BUTTON3_RELEASED; }
static inline mmask_t cn_REPORT_MOUSE_POSITION(void) { return REPORT_MOUSE_POSITION; }

static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline FILE *cn_stdin(void) { return stdin; }
static inline FILE *cn_stdout(void) { return stdout; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

/* 1 when the locale's character set is UTF-8 (call setlocale first). */
static inline int cn_locale_is_utf8(void) {
  const char *codeset = nl_langinfo(CODESET);
  return codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

/* 1 when the current terminal description can address the cursor ("cup"). */
static inline int cn_has_cursor_addressing(void) {
  const char *cup = tigetstr("cup");
  return cup != NULL && cup != (const char *)-1;
}

/* Draws one character cell at (y, x) with attributes and a colour pair. */
static inline int cn_put_cell(int y, int x, wchar_t ch, attr_t attrs, int pair) {
  cchar_t cc;
  wchar_t s[2] = {ch, 0};
  if (setcchar(&cc, s, attrs, (short)pair, NULL) != OK) return ERR;
  return mvadd_wch(y, x, &cc);
}

/* Reads one key or character; returns OK, KEY_CODE_YES (a key code) or ERR (timeout). */
static inline int cn_get_wch(wint_t *ch) { return wget_wch(stdscr, ch); }

/* Fetches the pending mouse event: its cell and button state. Returns OK or ERR. */
static inline int cn_get_mouse(int *x, int *y, mmask_t *state) {
  MEVENT event;
  if (getmouse(&event) != OK) return ERR;
  *x = event.x;
  *y = event.y;
  *state = event.bstate;
  return OK;
}
#endif
