-- The mixed workload of scripts/bench.sh (R5, the soak, two replicas): page views and
-- REST reads in equal parts, and a write in ten (a new user, by the REST API). Each
-- connection waits WRK_DELAY_MS between its requests, which holds the total rate near
-- the one asked for (the script sets the delay from the maximum it measured first).
-- `done` prints the figures on one line, like wrk.lua, plus the 5xx count.
local cookie = os.getenv("WRK_COOKIE")
local auth = os.getenv("WRK_AUTH")
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local tag = os.getenv("WRK_TAG") or "m"
local counter = 0
-- A thread's globals (not locals), so that `done` can read them back with t:get.
fivexx = 0
local threads = {}

setup = function(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local n = counter % 10
  if n == 0 then
    local body = string.format('{"email":"%s-%d-%d-%d@bench.test"}', tag, id or 0, counter, math.random(1, 1e9))
    return wrk.format("POST", "/api/v1/users",
      { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
  elseif n % 2 == 0 then
    return wrk.format("GET", "/t/admin", { ["Cookie"] = cookie, ["Accept"] = "text/html" })
  else
    return wrk.format("GET", "/api/v1/tenants", { ["Authorization"] = auth })
  end
end

-- Which statuses the non-2xx answers had.
statuses = ""
response = function(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 end
  if status < 200 or status > 299 then statuses = statuses .. status .. " " end
end

delay = function()
  return delay_ms
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local f = 0
  local seen = ""
  for _, t in ipairs(threads) do
    f = f + (t:get("fivexx") or 0)
    seen = seen .. (t:get("statuses") or "")
  end
  local tally = {}
  for code in seen:gmatch("%d+") do tally[code] = (tally[code] or 0) + 1 end
  local parts = {}
  for code, n in pairs(tally) do table.insert(parts, code .. "x" .. n) end
  table.sort(parts)
  io.write(string.format("BENCH rps=%.0f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d fivexx=%d statuses=%s\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status, f, #parts > 0 and table.concat(parts, ",") or "none"))
end
