#!/usr/bin/env bash
# Trains, exports and evaluates the committed Fashion-MNIST models of configs/trained/, then
# regenerates the tables of docs/real-networks.md. About 12 minutes on 2 cores.
#
#   bash scripts/train/train_all.sh [MODEL...]     MODEL: fmnist_mlp_w1a2 fmnist_sparse_tnn fmnist_gmp_cnn
#
# Training artefacts (checkpoints, ONNX files) go to out/train/ (not committed); the QONNX files
# (configs/trained/qonnx/, scripts/train/export_qonnx.py) are committed. Needs the Debian
# packages of scripts/train/ensure_packages.sh and Debian's /usr/bin/python3.
# When a qnn-weights binary is found ($QNN_WEIGHTS, else build/qnn-weights), the export also
# requires that it writes the identical weight file from the same integers.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash scripts/train/ensure_packages.sh
PY=/usr/bin/python3
THREADS="${QSIM_TRAIN_THREADS:-1}"
CHECK=()
qw="${QNN_WEIGHTS:-$root/build/qnn-weights}"
[ -x "$qw" ] && CHECK=(--qnn-weights "$qw")

# Reduced from the sources so that each trains in a few minutes on 2 cores and the committed
# weight files stay small (the configs say so in their comments).
declare -A ARGS=(
  [fmnist_mlp_w1a2]="--model mlp --hidden 256,256,256 --abits 2 --epochs 10"
  [fmnist_sparse_tnn]="--model tnn --hidden 128,128,128 --eta 0.9 --l2 1e-5 --lr 1e-3 --epochs 10 --retrain-epochs 5"
  [fmnist_gmp_cnn]="--model cnn --channels 8,16 --abits 8 --epochs 15"
)
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(fmnist_mlp_w1a2 fmnist_sparse_tnn fmnist_gmp_cnn)

for m in "${models[@]}"; do
  [ -n "${ARGS[$m]:-}" ] || { echo "train_all: unknown model '$m'" >&2; exit 2; }
  # shellcheck disable=SC2086
  $PY scripts/train/train.py ${ARGS[$m]} --name "$m" --threads "$THREADS" --out out/train
  $PY scripts/train/export.py --checkpoint "out/train/$m.pt" --out-dir configs/trained \
    --work-dir out/train --threads "$THREADS" "${CHECK[@]}"
  # The same model as a QONNX file (Brevitas's layout), checked against the predictions above.
  $PY scripts/train/export_qonnx.py --checkpoint "out/train/$m.pt" --out "configs/trained/qonnx/$m.onnx" \
    --threads "$THREADS" --check
done
$PY scripts/train/make_table.py
