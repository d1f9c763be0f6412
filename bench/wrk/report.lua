-- wrk script for bench/load.sh: sets the request from the environment and prints one
-- machine-readable "BENCH ..." line (throughput and latency percentiles) when the run ends.
--
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    request body (sent as application/json)
--   BENCH_TOKEN   bearer token for the Authorization header
--   BENCH_TRACK   1: count every response by status and keep a few bodies of the ones >= 300
--                 (costs a little per response, so the status-page runs leave it off)

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local token = os.getenv("BENCH_TOKEN") or ""
local track = os.getenv("BENCH_TRACK") == "1"

wrk.method = method
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- setup() runs in the main Lua state, once per wrk thread; done() reads the threads' counters.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

if track then
  counts = {}     -- status -> responses (per thread)
  samples = {}    -- a few distinct "status body" strings of responses >= 300 (per thread)
  seen_sample = {}
  function response(status, headers, resp_body)
    counts[status] = (counts[status] or 0) + 1
    if status >= 300 and #samples < 5 then
      local s = status .. " " .. string.gsub(string.sub(resp_body or "", 1, 300), "[\r\n]+", " ")
      if not seen_sample[s] then
        seen_sample[s] = true
        table.insert(samples, s)
      end
    end
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f requests=%d secs=%.2f non2xx3xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    summary.requests, secs, e.status, e.connect, e.read, e.write, e.timeout))
  if track then
    local total, printed, seen = {}, 0, {}
    for _, t in ipairs(threads) do
      for status, n in pairs(t:get("counts") or {}) do
        total[status] = (total[status] or 0) + n
      end
      for _, s in ipairs(t:get("samples") or {}) do
        if printed < 5 and not seen[s] then
          io.write("BENCH_SAMPLE " .. s .. "\n")
          seen[s] = true
          printed = printed + 1
        end
      end
    end
    local keys = {}
    for status in pairs(total) do table.insert(keys, status) end
    table.sort(keys)
    local parts = {}
    for _, status in ipairs(keys) do table.insert(parts, status .. "=" .. total[status]) end
    io.write("BENCH_STATUS " .. table.concat(parts, " ") .. "\n")
  end
end
