# What reaches a terminal: text from files drawn by the screens (here through `lesson show`, which
# prints a frame exactly as the terminal would draw it), and the interactive command without one.
# The runner fails any case whose output holds a control byte other than newline and tab.

# A lesson whose title and prose try to retitle the window and clear the screen.
mkdir -p hostile/01-title
printf 'format 1\n01-title\n' > hostile/course
printf 'format 1\ntitle "Edges \033]0;pwned\007 here"\n\nstep "One \033[2J"\n  say "Clear \033[2J the screen, \302\233H move home, \033[31mred\033[0m done."\nend\n' \
  > hostile/01-title/lesson.cnnlab
expect "lesson show: escape sequences in a lesson are drawn as placeholders" 0 'Edges �\]0;pwned� here' -- \
  lesson show 1 --lessons hostile --width 80 --height 24
expect "lesson show: a C1 CSI in a lesson is drawn as a placeholder" 0 'Clear �\[2J the screen, �H move home, �\[31mred' -- \
  lesson show 1 --lessons hostile --width 80 --height 24

# The course itself needs a terminal: without one it says so in one line.
expect "learn: no terminal gives one line and status 2" 2 'need a terminal' -- learn
STDIN=/dev/null expect "learn: standard input not a terminal" 2 'use .cnnlab lesson show' --
