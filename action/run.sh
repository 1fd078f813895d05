#!/usr/bin/env bash
# Runs `llm-lens benchmark` with the Action's inputs and records its exit code as a step
# output instead of failing the step, so the results are uploaded before the job fails.
set -uo pipefail
lens=("${LLM_LENS_BIN:-llm-lens}")
# A .js entry point (the repository's own build) runs under this Node.
case "${lens[0]}" in *.js) lens=(node "${lens[0]}") ;; esac
out="${INPUT_OUTPUT_DIR:-llm-lens-results}"
mkdir -p "$out"
args=(benchmark
  --output "$out/summary.json"
  --records "$out/records.jsonl"
  --export "msgpack=$out/run.msgpack"
  --junit "$out/junit.xml"
  --markdown "$out/summary.md")
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
  if [ -n "$line" ]; then args+=(--threshold "$line"); fi
done <<< "${INPUT_THRESHOLDS:-}"
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$INPUT_BASELINE"); fi
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
  if [ -n "$line" ]; then args+=(--regression "$line"); fi
done <<< "${INPUT_REGRESSIONS:-}"
# Extra arguments are split like a shell would split them, without running anything.
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<< "$INPUT_ARGS"
  args+=("${extra[@]}")
fi
echo "+ llm-lens ${args[*]}"
"${lens[@]}" "${args[@]}"
code=$?
echo "exit-code=$code" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is set by the Actions runner}"
echo "summary=$out/summary.json" >> "$GITHUB_OUTPUT"
echo "llm-lens exited with $code"
exit 0
