#!/usr/bin/env bash
# Installs the pinned llm-latency-lens into the runner's temp directory and puts it on PATH.
# LLM_LENS_BIN (a path to an llm-lens executable) skips the install: the repository's own
# test runs the Action's steps against the CLI it just built.
set -euo pipefail
if [ -n "${LLM_LENS_BIN:-}" ]; then
  echo "llm-lens: using $LLM_LENS_BIN"
  exit 0
fi
version="${LLM_LENS_VERSION:-latest}"
prefix="${RUNNER_TEMP:-/tmp}/llm-latency-lens"
npm install --global --no-fund --no-audit --prefix "$prefix" "llm-latency-lens@${version}"
echo "$prefix/bin" >> "${GITHUB_PATH:?GITHUB_PATH is set by the Actions runner}"
"$prefix/bin/llm-lens" --version
