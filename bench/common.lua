-- bench/common.lua - shared by the wrk scripts in bench/ (bench/run sets
-- LUA_PATH so that `require("common")` finds this file).
--
-- Every request is a real DynamoDB call with a SigV4-shaped Authorization
-- header: ddbd, DynamoDB Local and dynalite read the credential scope (the
-- access key and region pick the namespace) but verify no signature;
-- dynalite also wants an X-Amz-Date header.
--
-- Every reply's status is checked in response(): anything but 200 is an
-- error, and so is a sampled body (every 10th) that lacks what the workload
-- expects. done() prints one line "BENCH_RESULT {json}" that bench/run reads;
-- a run with any error is void there.
--
-- wrk arguments after "--": RUN [nocheck]. RUN makes the keys of this wrk
-- run unique (the appends are conditional on a new key); "nocheck" skips
-- the body checks, for the nginx ceiling that answers {} to everything.
local M = {}

M.auth = "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, " ..
         "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
M.payload = string.rep("x", 160)   -- makes an item about 200 bytes
M.check_every = 10

function M.request(target, body)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "DynamoDB_20120810." .. target,
    ["X-Amz-Date"] = "20260101T000000Z",
    ["Authorization"] = M.auth,
  }, body)
end

-- Per-thread counters are globals: done() runs in wrk's main Lua state and
-- reads them with thread:get().
bench_errors, bench_checked, bench_replies, bench_first_error = 0, 0, 0, ""

function M.fail(what)
  bench_errors = bench_errors + 1
  if bench_first_error == "" then bench_first_error = string.sub(what, 1, 300) end
end

-- Status check for every reply, body check (check(body) -> true) for a sample.
-- Returns true when the reply counts as a success.
function M.verify(status, body, check, always)
  bench_replies = bench_replies + 1
  if status ~= 200 then
    M.fail(status .. " " .. (body or ""))
    return false
  end
  if M.check and check and (always or bench_replies % M.check_every == 1) then
    bench_checked = bench_checked + 1
    if not check(body) then
      M.fail("unexpected body: " .. (body or ""))
      return false
    end
  end
  return true
end

local function json(t)
  local parts = {}
  for k, v in pairs(t) do
    if type(v) == "string" then
      v = '"' .. v:gsub('[%c"\\]', function(ch) return string.format("\\u%04x", ch:byte()) end) .. '"'
    end
    parts[#parts + 1] = string.format('"%s":%s', k, tostring(v))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- Installs wrk's setup/init/done and reads the arguments. extra(threads, r)
-- may add fields to the result line.
function M.install(extra)
  local threads = {}
  function setup(thread)
    threads[#threads + 1] = thread
    thread:set("bench_tid", #threads)
  end
  function init(args)
    M.run = args[1] or "0"
    M.check = args[2] ~= "nocheck"
    M.prefix = M.run .. "-" .. bench_tid   -- unique per wrk run and thread
  end
  function done(summary, latency, requests)
    local e = summary.errors
    local r = {
      requests = summary.requests, duration_us = summary.duration,
      p50_us = latency:percentile(50), p99_us = latency:percentile(99),
      mean_us = latency.mean, max_us = latency.max,
      socket_errors = e.connect + e.read + e.write + e.timeout, non2xx = e.status,
      errors = 0, checked = 0, first_error = "",
    }
    for _, t in ipairs(threads) do
      r.errors = r.errors + t:get("bench_errors")
      r.checked = r.checked + t:get("bench_checked")
      if r.first_error == "" then r.first_error = t:get("bench_first_error") end
    end
    if extra then extra(threads, r) end
    io.write("BENCH_RESULT " .. json(r) .. "\n")
  end
end

-- A workload of one operation: spec.request(n) -> target, body for the n-th
-- request of this thread; spec.check(body) -> true when a sampled reply is right.
function M.workload(spec)
  M.install()
  local n = 0
  function request()
    n = n + 1
    return M.request(spec.request(n))
  end
  function response(status, headers, body)
    M.verify(status, body, spec.check)
  end
end

-- A reply with no error type in it (DynamoDB's success bodies for writes).
function M.no_error(body)
  return body ~= nil and not string.find(body, "__type", 1, true)
end

return M
