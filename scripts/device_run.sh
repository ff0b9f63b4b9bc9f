#!/usr/bin/env bash
# The one prepared command for a lent GPU machine: GPU speed beside NVlabs/SPADE, then the bundled
# model trained on CUDA, then words + sketch's time and memory (benchmarks/bench_diffusion.py). Everything it makes lands in $OUT (at most 8 files come back from there).
#
# A lent machine has torch, numpy, pillow, matplotlib, safetensors and tqdm but no internet, and
# 15 minutes in all, its start included: so nothing here downloads, and the stages are sized to
# fit one 10-minute call (about 1 min benchmark, under 1 min drawing, TRAIN_MINUTES of training, 1 min
# export and measurement, then about 2 min for words + sketch). Before the call, here, once:
#
#   mkdir -p .nvlabs && git -C <NVlabs/SPADE checkout> archive HEAD models util options data \
#       | tar -x -C .nvlabs          # NVlabs' code for the benchmark's reference; .nvlabs is ignored
#
# and on the device (the device tool's run, carry [".nvlabs"], timeout_s 600):
#
#   bash scripts/device_run.sh
#
# Then copy $OUT/bundled_generator.safetensors over src/playground_lib/models/ if its measured
# quality (in train.txt, and in the file) beats the shipped model's; `playground evaluate --bundled
# --save-score` adds the segmentation score on a CPU afterwards.
#
# Words + sketch needs diffusers and transformers, which a lent machine lacks: without them its step
# writes "not run" to bench_diffusion.txt and the script goes on. Installed they are about 225 MB, over
# the carry limit (64 MiB); their wheels are about 25 MB: `pip download --no-deps -d .wheels diffusers
# transformers tokenizers huggingface_hub regex hf-xet` here, carry ".wheels", and on the device
# `pip install --no-index --find-links .wheels diffusers transformers && bash scripts/device_run.sh`
# (not yet tried on a lent machine: its other dependencies may be missing).
#
# The settings below can be changed through the environment; the test suite runs this whole script on
# a CPU with tiny ones (DEVICE=cpu, BENCH_ARGS and TRAIN_ARGS), so it is known to work before a lease.
set -euo pipefail

OUT=${OUT:-outputs/device}
TRAIN_MINUTES=${TRAIN_MINUTES:-5}
SCENES=${SCENES:-1500}
NGF=${NGF:-16}
BATCH=${BATCH:-8}
WORK=${WORK:-/tmp/bundled_training}
NVLABS=${NVLABS:-.nvlabs}
PYTHON=${PYTHON:-python3}
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
mkdir -p "$OUT"

"$PYTHON" - <<'EOF' | tee "$OUT/machine.txt"
import platform, torch
print("python", platform.python_version(), "torch", torch.__version__, "cuda", torch.version.cuda)
print("device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device")
EOF

reference=()
[ -d "$NVLABS/models" ] && reference=(--nvlabs "$NVLABS")
"$PYTHON" benchmarks/bench_gpu.py "${reference[@]}" ${BENCH_ARGS:-} 2>&1 | tee "$OUT/bench_gpu.txt"

# --draw: the script draws the procedural scenes into $WORK/scenes first, on every core
"$PYTHON" scripts/train_bundled_model.py --draw "$SCENES" --work "$WORK" --device "${DEVICE:-cuda}" \
    --ngf "$NGF" --batch "$BATCH" --compact --minutes "$TRAIN_MINUTES" --chunk 500 --threads 4 \
    --out "$OUT/bundled_generator.safetensors" ${TRAIN_ARGS:-} 2>&1 | tr '\r' '\n' | tail -n 20 | tee "$OUT/train.txt"
cp "$WORK/run/samples/latest.png" "$OUT/samples.png" 2>/dev/null || true

# Words + sketch: SD 1.5 + ControlNet built from their configs with random weights (nothing downloaded),
# fp16 at 512x512 and at a 768x1024 window; the CPU part is left to a laptop-like machine (DIFFUSION_ARGS).
"$PYTHON" benchmarks/bench_diffusion.py ${DIFFUSION_ARGS:---cpu-steps 0} 2>&1 | tr '\r' '\n' \
    | { grep -v -e 'it/s]' -e '^\[transformers\]' || true; } | tee "$OUT/bench_diffusion.txt"
