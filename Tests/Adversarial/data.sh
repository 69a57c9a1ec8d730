# File readers and writers: output paths, memory from headers, numbers that are not numbers,
# parsers' speed and size limits, empty data, saved progress. Inputs are made here with printf and
# the Python standard library.

printf '1 2 3\n4 5 6\n7 8 9\n' > grid.txt
printf '1 0\n0 1\n' > kernel.txt

# --- Output paths: only regular files are replaced; devices and FIFOs are written through.

if mknod null c 1 3 2>/dev/null && mknod full c 1 7 2>/dev/null; then
  expect "-o to a character device (our own null)" 0 '' -- conv grid.txt kernel.txt -o null
  check "-o to a character device leaves a character device" -- test -c null
  expect "-o to a full device fails" 1 'full: error: write failed: No space left on device' \
    -- conv grid.txt kernel.txt -o full
  check "-o to a full device leaves a character device" -- test -c full
  check "standard output on a full device: status 1 and one line" -- bash -c \
    "! '$CNNLAB' conv grid.txt kernel.txt > full 2> full.err && [ \"\$(cat full.err)\" = 'cnnlab: error: could not write to standard output: No space left on device' ]"
fi

mkfifo fifo
timeout 10 cat fifo > fifo.out &  # bounded: a cnnlab that replaced the FIFO would leave it waiting
expect "-o to a FIFO with a reader" 0 '' -- conv grid.txt kernel.txt -o fifo
wait
check "-o to a FIFO leaves a FIFO" -- test -p fifo
check "-o to a FIFO delivers the grid" -- grep -q '^ *6 *8$' fifo.out
expect "-o to a FIFO nobody reads" 1 'fifo: error: is a FIFO that no process is reading' \
  -- conv grid.txt kernel.txt -o fifo
check "-o to a FIFO nobody reads leaves a FIFO" -- test -p fifo

expect "-o /proc/self/fd/1 (standard output is a file)" 0 '^ *6 *8$' \
  -- conv grid.txt kernel.txt -o /proc/self/fd/1
printf 'old\n' > target.txt
ln -s target.txt link.txt
expect "-o through a symbolic link" 0 '' -- conv grid.txt kernel.txt -o link.txt
check "-o through a symbolic link keeps the link and fills its target" -- \
  bash -c 'test -L link.txt && grep -q "^ *6 *8$" target.txt'
expect "-o to a folder" 1 'error: is a folder, not a file' -- conv grid.txt kernel.txt -o .
expect "a device as the input grid" 1 '/dev/null: error: is a device, not a file' -- conv /dev/null kernel.txt
expect "an endless device as the kernel" 1 '/dev/zero: error: is a device, not a file' -- conv grid.txt /dev/zero
expect "a device as the playground's input" 1 '/dev/null: error: is a device, not a file' \
  -- playground --input /dev/null --show

touch .out.txt.tmp-Ab12Cd .out.txt.tmp-999999999-Ab12Cd
expect "-o after a killed write" 0 '' -- conv grid.txt kernel.txt -o out.txt
check "stale temporary files of a killed write are removed" -- \
  bash -c '! ls -a | grep -q "^\.out\.txt\.tmp-"'

expect "train --save into a missing folder" 1 'no/such/folder/m.safetensors: error: cannot create a temporary file' \
  -- train --data xo --epochs 1 --headless --save no/such/folder/m.safetensors
check "train --save is checked before training" -- bash -c "! grep -q '^epoch' '$WORK/case.err'"
expect "train --save to a folder" 1 'error: is a folder, not a file' \
  -- train --data xo --epochs 1 --headless --save .
check "train --save to a folder is checked before training" -- bash -c "! grep -q '^epoch' '$WORK/case.err'"

# --- A model to mutate, and the helpers that write models and arrays.

expect "train an X/O model for the cases below" 0 'saved xo.safetensors' \
  -- train --data xo --epochs 1 --headless --save xo.safetensors

# model.py SOURCE OUT KEY=VALUE...: rewrites metadata; weight=V sets every weight to V.
cat > model.py <<'EOF'
import json, struct, sys
source, out, *changes = sys.argv[1:]
raw = open(source, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = bytearray(raw[8 + n:])
for change in changes:
    key, value = change.split('=', 1)
    if key == 'weight':
        for name, entry in header.items():
            if name != '__metadata__':
                begin, end = entry['data_offsets']
                data[begin:end] = struct.pack('<f', float(value)) * ((end - begin) // 4)
    else:
        header['__metadata__'][key] = value
text = json.dumps(header).encode()
text += b' ' * (-len(text) % 8)
open(out, 'wb').write(struct.pack('<Q', len(text)) + text + bytes(data))
EOF

# --- Numbers that are not numbers: rejected with the file and the place.

npy nan.npy 2,2 1 nan 3 4
expect "conv: NaN in a .npy grid" 1 'nan.npy: error: the value at index \(0, 1\) is NaN' \
  -- conv nan.npy kernel.txt
npy inf.npy 2,2 1 2 3 -inf
expect "conv: -inf in a .npy grid" 1 'inf.npy: error: the value at index \(1, 1\) is -infinite' \
  -- conv grid.txt inf.npy
npy image.npy 9,9 $(for i in $(seq 81); do printf '%s ' "$([ $i = 41 ] && echo inf || echo 1)"; done)
expect "predict: inf in a .npy image" 1 'image.npy: error: the value at index \(4, 4\) is infinite' \
  -- predict --model xo.safetensors image.npy
python3 model.py xo.safetensors nan-scale.safetensors input_scale=nan
expect "predict: a model whose input_scale is nan" 1 'input_scale "nan" is not a finite number' \
  -- predict --model nan-scale.safetensors "$INPUTS/x.txt"
python3 model.py xo.safetensors nan-weights.safetensors weight=nan
expect "predict: a model with NaN weights" 1 'holds NaN or infinite values' \
  -- predict --model nan-weights.safetensors "$INPUTS/x.txt"
python3 model.py xo.safetensors huge.safetensors weight=3e38
expect "predict: weights of 3e38 (text)" 0 'prediction: X \(50.00%\)' \
  -- predict --model huge.safetensors "$INPUTS/x.txt"
expect "predict: weights of 3e38 (JSON)" 0 '"probabilities": \[0.5, 0.5\]' \
  -- predict --model huge.safetensors "$INPUTS/x.txt" --json
python3 model.py xo.safetensors mixed.safetensors weight=-3e38
expect "predict: weights of -3e38" 0 'prediction: ' -- predict --model mixed.safetensors "$INPUTS/x.txt"

# --- Model metadata: each problem named as what it is.

python3 model.py xo.safetensors v-huge.safetensors format_version=99999999999999999999999
expect "a huge format_version is unsupported, not missing" 1 'model format version 99999999999999999999999 is not supported' \
  -- predict --model v-huge.safetensors "$INPUTS/x.txt"
python3 model.py xo.safetensors v-text.safetensors format_version=one
expect "a format_version that is not a number" 1 'format_version "one" is not a positive whole number' \
  -- predict --model v-text.safetensors "$INPUTS/x.txt"

# --- Memory from headers: estimated and refused before allocating.

python3 - <<'EOF'
import gzip, os, struct
# 1,369,000 28x28 images (1.07 GB of pixels) in about 1 MB: gzip members of 64 MiB of zeros.
os.makedirs('bomb', exist_ok=True)
zeros = gzip.compress(bytes(64 << 20), compresslevel=9, mtime=0)
n = 1_369_000
total = n * 784
with open('bomb/t10k-images-idx3-ubyte.gz', 'wb') as f:
    f.write(gzip.compress(struct.pack('>IIII', 2051, n, 28, 28), mtime=0))
    for _ in range(total >> 26):
        f.write(zeros)
    f.write(gzip.compress(bytes(total & ((64 << 20) - 1)), mtime=0))
with open('bomb/t10k-labels-idx1-ubyte.gz', 'wb') as f:
    f.write(gzip.compress(struct.pack('>II', 2049, n) + bytes(n), mtime=0))
EOF
expect "a 1 MB gzip holding a 1 GB IDX" 1 't10k-images-idx3-ubyte.gz: error: the header.s 1369000x28x28 image values would need 5.0 GiB of memory, over the 1.0 GiB limit' \
  -- eval --model xo.safetensors --data bomb

python3 - <<'EOF'
import struct
# 20,000 tensors that all claim the same 4 MB of data: 80 GB of floats if each were read.
count, size = 20_000, 1_000_000
entries = ','.join('"t%d":{"dtype":"F32","shape":[%d],"data_offsets":[0,%d]}' % (i, size, 4 * size) for i in range(count))
text = ('{' + entries + '}').encode()
open('overlap.safetensors', 'wb').write(struct.pack('<Q', len(text)) + text + bytes(4 * size))
EOF
expect "safetensors: 20,000 tensors over the same data" 1 'tensors "t[0-9]+" and "t[0-9]+" overlap' \
  -- predict --model overlap.safetensors "$INPUTS/x.txt"

npy shape.npy 100000,100000 1 2 3
expect ".npy: a header declaring 10^10 values" 1 'shape.npy: error: truncated data for shape \[100000, 100000\]' \
  -- conv shape.npy kernel.txt

# --- Parsers: linear, with stated limits.

python3 -c "import sys; sys.stdout.write('1 2\n' * 400_000)" > rows.txt
expect "a text grid of 400,000 rows (3.2 MB)" 0 '' -- conv rows.txt kernel.txt -o rows.out.npy

python3 - <<'EOF'
import struct
# A valid 90 MB header: a metadata string of 26 million escaped lines and 200,000 empty tensors.
parts = ['"__metadata__":{"format":"other","note":"%s"}' % ('a\\n' * (25 << 20))]
parts += ['"t%07d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}' % i for i in range(200_000)]
text = ('{' + ','.join(parts) + '}').encode()
text += b' ' * (-len(text) % 8)
open('wide.safetensors', 'wb').write(struct.pack('<Q', len(text)) + text)
EOF
expect "safetensors: a valid 90 MB header is read in time" 1 'is a safetensors file but not a cnnlab model' \
  -- predict --model wide.safetensors "$INPUTS/x.txt"
rm -f wide.safetensors

python3 -c "import struct, sys; sys.stdout.buffer.write(struct.pack('<Q', 150_000_000) + b'{}')" > long-header.safetensors
expect "safetensors: a header over the 100 MB limit" 1 'header length is 150000000 bytes, over the 100 MB limit' \
  -- predict --model long-header.safetensors "$INPUTS/x.txt"

python3 -c "
import struct, sys
text = b'{\"__metadata__\":{\"a\":' + b'[' * 200_000 + b']' * 200_000 + b'}}'
sys.stdout.buffer.write(struct.pack('<Q', len(text)) + text)" > deep.safetensors
expect "safetensors: JSON nested 200,000 deep" 1 'not valid safetensors JSON at byte [0-9]+ of the header' \
  -- predict --model deep.safetensors "$INPUTS/x.txt"

# --- Empty data: each said as what it is.

python3 - <<'EOF'
import os, struct
def idx(folder, name, magic, dims, body=b''):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(struct.pack('>I', magic) + b''.join(struct.pack('>I', d) for d in dims) + body)
idx('no-train', 'train-images-idx3-ubyte', 2051, (0, 9, 9))
idx('no-train', 'train-labels-idx1-ubyte', 2049, (0,))
idx('no-train', 't10k-images-idx3-ubyte', 2051, (2, 9, 9), bytes(162))
idx('no-train', 't10k-labels-idx1-ubyte', 2049, (2,), bytes(2))
idx('no-test', 't10k-images-idx3-ubyte', 2051, (0, 9, 9))
idx('no-test', 't10k-labels-idx1-ubyte', 2049, (0,))
EOF
expect "train on zero training images" 1 'no-train has no training images' \
  -- train --data no-train --model 'conv 2 3x3 | dense 10' --epochs 1 --headless
expect "eval on zero test images" 1 'no-test has no test images' \
  -- eval --model xo.safetensors --data no-test

# --- Saved progress: what cannot be read is reported and kept.

mkdir -p "$XDG_STATE_HOME/cnnlab/progress.json"
expect "progress.json that is a folder is reported" 2 'cannot read saved progress in .*progress.json \(it is a folder\); it is kept as it is' \
  -- learn --lessons "$INPUTS/../../../lessons"
check "progress.json that is a folder is kept" -- test -d "$XDG_STATE_HOME/cnnlab/progress.json"
rm -rf "$XDG_STATE_HOME/cnnlab"
mkdir -p "$XDG_STATE_HOME/cnnlab"
printf '{"format": 1, "lessons": {' > "$XDG_STATE_HOME/cnnlab/progress.json"
expect "corrupt progress.json is moved aside, and said so" 2 'moved it to .*progress.json.corrupt-[0-9]+' \
  -- learn --lessons "$INPUTS/../../../lessons"
check "corrupt progress.json is kept beside" -- \
  bash -c 'ls "$XDG_STATE_HOME/cnnlab" | grep -q "^progress.json.corrupt-"'
rm -rf "$XDG_STATE_HOME/cnnlab"
