// CNNLabCurses
