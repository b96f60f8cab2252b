-- The done() that get.lua and post.lua share: one line of JSON that
-- bench/api_bench.py reads (times in microseconds).
return function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-json {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, '
      .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
