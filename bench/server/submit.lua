-- wrk: each connection is one agent (run with as many threads as connections, so every
-- thread's Lua state is one agent's): ask for the next contact, ask again until the call is
-- connected (simulated citizens answer after about 3 s), then submit the result with
-- the survey's answers (ENCUESTA_EFECTIVA: durable before the 200), and again.
-- Sessions (cookie, csrf) come from the file named by $SESSIONS, written by run.sh.
-- wrk's own latency lines mix both requests; done() prints the submits alone (their count,
-- rate and latency percentiles, timed here with clock_gettime).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local sessions = dofile(os.getenv("SESSIONS"))
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("agent", counter)
  table.insert(threads, thread)
end

local s, contact, connected, sent_result, sent_at, n
local answers = '{"p1":{"amabilidad":4,"conocimiento":3,"actitud":4,"lenguaje":3},' ..
    '"p2":4,"p3":"si"}'

function init(args)
  s = sessions[(agent - 1) % #sessions + 1]
  contact, connected, sent_result, n = nil, false, false, 0
  submits, submit_errors, last_error = 0, 0, ""
  hist = {}  -- submit latency, 1 ms buckets
end

local function post(path, body)
  return wrk.format("POST", path,
    {["Cookie"] = s[1], ["X-CSRF-Token"] = s[2], ["Content-Type"] = "application/json"}, body)
end

function request()
  if contact and connected then
    n = n + 1
    sent_result, sent_at = true, now_ms()
    return post("/api/v1/contacts/" .. contact .. "/result",
      '{"idempotency_key":"bench-' .. agent .. '-' .. n .. '","disposition":"ENCUESTA_EFECTIVA",' ..
      '"answers":' .. answers .. '}')
  end
  sent_result = false
  return post("/api/v1/campaigns/demo/next", "{}")
end

-- While the call rings, ask again every 250 ms (the desktop itself waits on its WebSocket).
function delay()
  if contact and not connected then return 250 end
  return 0
end

function response(status, headers, body)
  if sent_result then
    if status == 200 then
      submits = submits + 1
      local b = math.floor(now_ms() - sent_at)
      hist[b] = (hist[b] or 0) + 1
    else
      submit_errors = submit_errors + 1
      last_error = body
    end
    contact, connected = nil, false
    return
  end
  contact = body:match('"contact":{.-"id":(%d+)')
  connected = body:match('"connected":true') ~= nil
end

function done(summary, latency, requests)
  local total, errors, merged, err = 0, 0, {}, ""
  for _, t in ipairs(threads) do
    total = total + t:get("submits")
    errors = errors + t:get("submit_errors")
    if t:get("last_error") ~= "" then err = t:get("last_error") end
    for b, c in pairs(t:get("hist")) do merged[b] = (merged[b] or 0) + c end
  end
  local function pct(p)
    local want, seen = total * p, 0
    local keys = {}
    for b in pairs(merged) do table.insert(keys, b) end
    table.sort(keys)
    for _, b in ipairs(keys) do
      seen = seen + merged[b]
      if seen >= want then return b + 1 end
    end
    return 0
  end
  io.write(string.format("submits: %d (%.1f/s), errors %d, latency p50 %d ms, p99 %d ms\n",
    total, total / (summary.duration / 1e6), errors, pct(0.5), pct(0.99)))
  if err ~= "" then io.write("last submit error: " .. err .. "\n") end
end
