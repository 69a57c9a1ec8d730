# Options and sizes from the command line.
expect "shape: a valid spec still works" 0 'dense' -- shape 'conv 2 3x3 | flatten | dense 2' --input 1x9x9

# Files for the cases below. `le64 N` prints N as 8 little-endian bytes; `model FILE METADATA
# TENSORS BYTES` writes a safetensors file with that metadata (JSON members), tensor entries and
# BYTES zero bytes of data. (`npy` is the runner's.)
le64() {
  local n=$1 i out=""
  for i in 0 1 2 3 4 5 6 7; do out+=$(printf '\\x%02x' $(((n >> (8 * i)) & 255))); done
  printf "$out"
}
model() {
  local header="{\"__metadata__\":{$2}${3:+,$3}}"
  local n
  n=$(LC_ALL=C; printf '%s' "$header" | wc -c)
  { le64 "$n"; printf '%s' "$header"; head -c "$4" /dev/zero; } >"$1"
}
meta() {  # meta SPEC INPUT_SHAPE CLASS_NAMES DATA: the metadata members of a cnnlab model
  printf '"format":"cnnlab-model","format_version":"1","spec":"%s","input_shape":"%s","input_scale":"1","input_offset":"0","class_names":"%s","data":"%s","epochs":"1"' "$1" "$2" "$3" "$4"
}
dense2='"layers.0.weight":{"dtype":"F32","shape":[2,81],"data_offsets":[0,648]},"layers.0.bias":{"dtype":"F32","shape":[2],"data_offsets":[648,656]}'
printf '1 2\n3 4\n' >k2.txt

# Class 1: every size from a user goes through checked arithmetic, with limits stated.
expect "shape: 2^62 filters are refused, not counted negative" 1 'filters 4611686018427387904 is too large.*2\^31' \
  -- shape 'conv 4611686018427387904 3x3' --input 1x9x9
expect "shape: a parameter count past Int.max is refused" 1 'more parameters than cnnlab can count' \
  -- shape 'dense 2147483648 | dense 2147483648 | dense 2147483648' --input 1
expect "shape: a padding of 10^12 does not hang" 1 'padding 1000000000000 is too large' \
  -- shape 'conv 2 3x3 pad 1000000000000' --input 1x9x9
expect "shape: an input past 2^31 is refused" 1 'input size 9999999999 is too large' \
  -- shape 'conv 2 3x3' --input 1x9999999999x9
expect "conv: a dilation near Int.max is refused" 1 'dilation 9223372036854775807 is too large' \
  -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --dilation 9223372036854775807
expect "conv: a padding near Int.max is refused" 1 'padding 9223372036854775807 is too large' \
  -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --padding 9223372036854775807
expect "conv: a stride near Int.max is refused" 1 'stride 9223372036854775807 is too large' \
  -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --stride 9223372036854775807x1
expect "train: 2^62 filters never reach the fast path" 1 'filters 4611686018427387904 is too large' \
  -- train --data xo --model 'conv 4611686018427387904 3x3 | dense 2' --headless

# Class 2: memory is estimated before allocating, and refused with the estimate and the limit.
model huge-dense.safetensors "$(meta 'dense 1000000000' 1x9x9 '[]' xo)" '' 0
expect "predict: a model of 10^9 units is refused by its estimate" 1 'would need .* of memory, over the 1.0 GiB limit' \
  -- predict --model huge-dense.safetensors "$INPUTS/x.txt"
model huge-input.safetensors "$(meta 'dense 2' 1x100000x100000 '[\"x\",\"o\"]' xo)" '' 0
expect "eval: a model for 1x100000x100000 images is refused by its estimate" 1 'over the 1.0 GiB limit' \
  -- eval --model huge-input.safetensors
expect "train: --batch 100000000 is refused by its estimate" 1 'batches of 100000000, would need .* over the 1.0 GiB limit' \
  -- train --data xo --batch 100000000 --headless
expect "conv: a large padding is refused by its estimate" 1 'would need .* over the 1.0 GiB limit' \
  -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --padding 100000
npy big.npy 1448,1448  # 8 MB; a trace of every window would take over 1 GiB
printf '1 2 3\n4 5 6\n7 8 9\n' >k3.txt
expect "conv: an 8 MB grid computes without a trace" 0 '' -- conv big.npy k3.txt -o big-out.npy
expect "pool: an 8 MB grid pools without a trace" 0 '' -- pool big.npy --size 5 --stride 1 -o pooled.npy
expect "conv: a trace of an 8 MB grid is refused by its size" 1 'the trace would take 8.3.{1,2}10\^6 printed products, over the 1.0.{1,2}10\^6 limit' \
  -- conv big.npy k2.txt --trace
awk 'BEGIN { row = ""; for (i = 0; i < 400; i++) row = row "1 "; for (i = 0; i < 400; i++) print row }' >kernel400.txt
expect "conv: a 400x400 kernel over a 1448x1448 grid is refused, not left to spin" 1 'multiply-adds, over the 1.0.{1,2}10\^9 limit' \
  -- conv big.npy kernel400.txt
expect "pool: a 1000x1000 window at stride 1 is refused, not left to spin" 1 'window cells, over the 1.0.{1,2}10\^9 limit' \
  -- pool big.npy --size 1000 --stride 1

# Class 7: degenerate shapes get their own error.
npy nofilters.npy 0,1,3,3
expect "conv: a kernel with 0 filters" 1 '0 filters' -- conv "$INPUTS/x.txt" nofilters.npy
npy nochannels.npy 0,9,9
expect "pool: an input with no channels" 1 'no channels' -- pool nochannels.npy --size 2

# Class 9: negative numbers parse and then fail with the rule; one error style and status.
expect "conv: --stride -1" 1 "--stride must be .* got '-1'" -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --stride -1
expect "conv: --dilation -3" 1 '--dilation must be at least 1, not -3' -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --dilation -3
expect "conv: --padding -1" 1 "--padding must be .* got '-1'" -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --padding -1
expect "pool: --size -2" 1 '--size must be at least 1, not -2' -- pool "$INPUTS/x.txt" --size -2
expect "train: --epochs -1" 1 '--epochs must be from 1 to 1000000, not -1' -- train --epochs -1
expect "train: --batch -5" 1 '--batch must be at least 1, not -5' -- train --batch -5
expect "shape: --input -1x28x28" 1 "--input must be .* got '-1x28x28'" -- shape 'dense 2' --input -1x28x28
expect "lesson show: --step -1" 1 '--step counts from 1' -- lesson show xo --step -1
expect "a validation error shows its own command's usage" 1 '^Usage: cnnlab conv INPUT KERNEL' \
  -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --stride 0
expect "a parse error has the same style and status" 1 "^cnnlab: error: Unknown option '--nope'" -- pool "$INPUTS/x.txt" --size 2 --nope
expect "trian is not a command: did you mean train" 1 "'trian' is not a cnnlab command; did you mean 'cnnlab train'" -- trian
expect "an unknown word is neither command nor lesson" 1 "'zzzz' is neither a cnnlab command nor a lesson" -- zzzz
expect "conv: --bias nan" 1 '--bias must be finite' -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --bias nan
expect "conv: --bias 1e39 (infinite as a float)" 1 '--bias must be finite' -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --bias 1,1e39
expect "conv: --bias -1 is a number" 0 '' -- conv "$INPUTS/x.txt" "$INPUTS/diagonal.txt" --bias -1
expect "train: --lr nan" 1 '--lr must be a positive, finite number' -- train --lr nan
expect "train: dropout 1 would drop everything" 1 "column 24: expected a drop probability from 0 up to .* found '1'" \
  -- train --data xo --model 'dense 8 relu | dropout 1 | dense 2' --headless
expect "train: dropout -0.1 is refused with the rule" 1 "column 24: expected a drop probability .* found '-0.1'" \
  -- train --data xo --model 'dense 8 relu | dropout -0.1 | dense 2' --headless
expect "train: dropout nan is refused, not compared" 1 "column 24: expected a drop probability .* found 'nan'" \
  -- train --data xo --model 'dense 8 relu | dropout nan | dense 2' --headless
expect "shape: dropout with no probability" 1 "column 24: expected a drop probability" \
  -- shape 'dense 8 relu | dropout | dense 2' --input 1x9x9

# Class 4 (the command line's half): strings from a model file never reach a terminal raw.
model esc-names.safetensors "$(meta 'dense 2' 1x9x9 '[\"\\u001b]0;owned\\u0007\",\"\\u007fo\\u009b2J\"]' xo)" "$dense2" 656
expect "predict: class names with ESC, BEL, DEL and CSI are escaped" 0 '\\x1b\]0;owned\\x07' \
  -- predict --model esc-names.safetensors "$INPUTS/x.txt"
expect "predict --json: control characters in class names are escaped" 0 '\\u001b\]0;owned\\u0007' \
  -- predict --model esc-names.safetensors "$INPUTS/x.txt" --json
expect "eval: class names in the confusion matrix are escaped" 0 'confusion' -- eval --model esc-names.safetensors
model esc-data.safetensors "$(meta 'dense 2' 1x9x9 '[\"x\",\"o\"]' '\u001b[2Jxo')" "$dense2" 656
expect "eval: a data name with ESC is escaped" 0 'trained on \\x1b\[2Jxo' -- eval --model esc-data.safetensors --data xo
model esc-error.safetensors "$(meta 'dense 2 \u001b[2J' 1x9x9 '[\"x\",\"o\"]' xo)" "$dense2" 656
expect "eval: a spec with ESC in an error is escaped" 1 'unknown dense option' -- eval --model esc-error.safetensors

# Help at 80 columns: the syntax is laid out by hand, never broken by the wrapping.
COLUMNS=80 expect "shape --help keeps [dilation D] [convolve] together" 0 '\[dilation D\] \[convolve\]' -- shape --help
COLUMNS=80 expect "shape --help keeps its example on one line" 0 '--input 9x9 --working$' -- shape --help
COLUMNS=80 expect "train --help keeps each default whole" 0 'momentum, lr 0.05, batch 16, 5 epochs' -- train --help

# The playground: every knob checked, with the rule, before anything is drawn.
expect "playground: --stride 0" 1 '--stride must be a whole number from 1 to 32, not 0' -- playground --show --stride 0
expect "playground: --padding -1" 1 "--padding must be valid, same or a whole number from 0 to 32; got '-1'" \
  -- playground --show --padding -1
expect "playground: a dilation near Int.max" 1 '--dilation must be a whole number from 1 to 32, not 9223372036854775807' \
  -- playground --show --dilation 9223372036854775807
expect "playground: a dilation too wide for the input" 1 'conv 3x3 does not fit a 9x9 input: .* use a smaller kernel or dilation, or more padding' \
  -- playground --show --dilation 30
printf 'nan 1\n1 1\n' >pg-nan.txt
expect "playground: NaN in an input grid" 1 'pg-nan.txt:1:1' -- playground --show --input pg-nan.txt
expect "playground: NaN in a kernel grid" 1 'pg-nan.txt:1:1' -- playground --show --kernel pg-nan.txt
npy pg-nan.npy 2,2 nan 1 1 1
expect "playground: NaN in an .npy input" 1 'pg-nan.npy' -- playground --show --input pg-nan.npy
: >pg-empty.txt
expect "playground: an empty input file" 1 'pg-empty.txt:1:1: error: no numbers in the grid' -- playground --show --input pg-empty.txt
expect "playground: a kernel larger than the input" 1 'conv 5x5 does not fit a 2x2 input' \
  -- playground --show --kernel gaussian-5x5 --input k2.txt
npy pg-big.npy 1000,1000
expect "playground: an input too large to draw" 1 'the playground takes inputs up to 64x64: crop it' \
  -- playground --show --input pg-big.npy
npy pg-rgb.npy 3,4,4
expect "playground: a three-channel input" 1 'must be one grid \(H,W\) or \(1,H,W\), not 3' \
  -- playground --show --input pg-rgb.npy
expect "playground: a kernel of cells with a hole" 1 "--kernel '1,2;3': cells must be finite numbers" -- playground --show --kernel '1,2;3'
expect "playground: without a terminal and without --show" 2 'add --show' -- playground
