-- One wrk script for every run of scripts/bench.sh. The request comes from environment
-- variables (method, body, cookie, bearer token, accept), and `done` prints the figures
-- wrk's own summary lacks (p95) on one line the script reads.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local function header(name, var)
  local v = os.getenv(var)
  if v and v ~= "" then wrk.headers[name] = v end
end
header("Cookie", "WRK_COOKIE")
header("Authorization", "WRK_AUTH")
header("Accept", "WRK_ACCEPT")
header("ActiveProjectID", "WRK_PROJECT")

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH rps=%.0f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status))
end
