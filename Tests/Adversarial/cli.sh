# Options and sizes from the command line.
expect "shape: a valid spec still works" 0 'dense' -- shape 'conv 2 3x3 | flatten | dense 2' --input 1x9x9
