/**
 * The commented starter config `llm-lens init` writes. It runs as-is against the built-in
 * simulator; the commented providers validate too once uncommented (tested).
 */
export const STARTER_CONFIG_YAML = `# llm-latency-lens config: run it with  llm-lens benchmark --config <this file>
# Every field, its type and default: see the README of @llm-lens/config.
# String values may use \${VAR} or \${VAR:-default}; write $\${ for a literal "\${".
version: 1
# workers: 1            # threads that generate the load: a number, or auto (from cores and concurrency)
# max_cost_usd: 5.00    # stop sending before the estimated spend would pass $5 (needs prices and max_tokens)

providers:
  # The built-in simulator: a real OpenAI-compatible streaming server started in-process.
  # Needs: nothing (no API key, no network). Use it to check a setup and the tool's own overhead.
  - name: mock
    type: mock
    models: [mock-model]
    mock:
      ttft_ms: "lognormal:200,0.3"   # a number of ms, "normal:<mean_ms>,<stdev_ms>" or "lognormal:<median_ms>,<sigma>"
      itl_ms: "normal:20,4"
      output_tokens: { min: 32, max: 128 }
      seed: 1

  # A self-hosted OpenAI-compatible server (vLLM, SGLang, llama.cpp, TGI, Ollama, ...).
  # Needs: the server running at base_url (set VLLM_BASE_URL, or keep the default), and the
  # environment variable VLLM_API_KEY exported if the server was started with an API key;
  # without one, delete the api_key_env line. "llm-lens validate" warns when it is not set.
  # - name: local-vllm
  #   type: openai-compatible
  #   base_url: \${VLLM_BASE_URL:-http://localhost:8000/v1}
  #   api_key_env: VLLM_API_KEY       # the NAME of the variable holding the key, never the key
  #   models: [meta-llama/Llama-3.1-8B-Instruct]
  #   options: { ignore_eos: true }   # extra request-body fields, sent as-is
  #   timeouts: { ttft_ms: 60000, idle_ms: 30000 }

  # OpenAI itself. Needs: OPENAI_API_KEY exported (read at run time, never stored).
  # - name: openai
  #   type: openai
  #   models: [gpt-4o-mini]
  #   retries: { max_attempts: 3 }               # retry 429s, 5xx and network errors; every attempt is recorded
  #   rate_limits: { requests_per_minute: 500 }  # pace requests under the account's limit, client-side

scenarios:
  - name: short-chat
    prompt: "Explain TCP slow start in two sentences."
    requests: 20        # measured requests, after the warm-up
    concurrency: 4      # requests in flight at once
    warmup: 2           # sent first, left out of the statistics
    # load: closed      # how requests are scheduled (closed loop: the next as soon as one ends)
    max_tokens: 128
    temperature: 0

  - name: system-prompt
    messages:
      - { role: system, content: "You are a concise assistant for network engineers." }
      - { role: user, content: "List three causes of high tail latency in HTTP APIs." }
    requests: 20
    concurrency: 8
    max_tokens: 256
    # prompt_file: ./prompts/long.txt   # instead of messages; relative to this file

outputs:
  summary: results/summary.json
  records: results/records.jsonl
  max_error_rate: 0.05   # exit code 1 when more than 5% of measured requests fail

fidelity:
  event_loop_delay_p99_ms: 5   # above this the run is flagged client_bound
`;
