-- The test-suite workload: what a CI run feels. One suite run, strictly
-- sequential on one connection (wrk -t1 -c1), as a test suite's fixtures
-- and tests would drive the server:
--   CreateTable with a GSI, DescribeTable until it and its index are ACTIVE,
--   50 PutItem, 10 GetItem, 5 Query, 5 Query on the GSI,
--   1 TransactWriteItems (2 Puts), DeleteTable.
-- Repeated RUNS times (a new table name each time), then the script stops
-- wrk and reports the time taken, measured here from the first request to
-- the last reply. It stops at the first error (the run is void then).
--
-- wrk arguments after "--": RUN [nocheck|check] [RUNS] (see common.lua).
-- With nocheck (the nginx ceiling) every reply is taken as a success and
-- DescribeTable as ACTIVE.
local c = require("common")
local ffi = require("ffi")
ffi.cdef[[
  struct bench_timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clk, struct bench_timespec *ts);
  int getpid(void);
  int kill(int pid, int sig);
]]
local ts = ffi.new("struct bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)   -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

suite_runs, suite_target, suite_us = 0, 100, 0

c.install(function(threads, r)
  local t = threads[1]
  r.suite_runs, r.suite_target, r.suite_us = t:get("suite_runs"), t:get("suite_target"), t:get("suite_us")
end)
local install_init = init
function init(args)
  install_init(args)
  suite_target = tonumber(args[3] or "100")
end

local function has(s) return function(body) return string.find(body, s, 1, true) ~= nil end end
local function count_is(n) return function(body) return string.find(body, '"Count":%s*' .. n .. '[,}]') ~= nil end end
local function count_positive(body) return string.find(body, '"Count":%s*[1-9]') ~= nil end
local function active(body)
  return has('"TableStatus":"ACTIVE"')(body) and not string.find(body, '"IndexStatus":"CREATING"', 1, true)
end

-- The steps of one suite run: {target, body format, check}; %s is the
-- table name, %d the step's own number where it has one.
local steps = {}
local function step(target, body, check, arg) steps[#steps + 1] = {target, body, check, arg} end
step("CreateTable",
  '{"TableName":"%s","BillingMode":"PAY_PER_REQUEST",' ..
  '"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},' ..
  '{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"type","AttributeType":"S"}],' ..
  '"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],' ..
  '"GlobalSecondaryIndexes":[{"IndexName":"byType","Projection":{"ProjectionType":"ALL"},' ..
  '"KeySchema":[{"AttributeName":"type","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}]}',
  has('"TableDescription"'))
local describe = #steps + 1
step("DescribeTable", '{"TableName":"%s"}', nil)   -- repeated until active()
for i = 1, 50 do
  step("PutItem", string.format(
    '{"TableName":"%%s","Item":{"pk":{"S":"p%d"},"sk":{"N":"%d"},"type":{"S":"T%d"},"payload":{"S":"%s"}}}',
    i % 5, i, i % 3, c.payload), c.no_error)
end
for i = 1, 10 do
  step("GetItem", string.format('{"TableName":"%%s","Key":{"pk":{"S":"p%d"},"sk":{"N":"%d"}}}', i % 5, i),
    has('"Item"'))
end
for i = 0, 4 do
  step("Query", string.format('{"TableName":"%%s","KeyConditionExpression":"pk = :p",' ..
    '"ExpressionAttributeValues":{":p":{"S":"p%d"}}}', i), count_is(10))
end
for i = 0, 4 do
  step("Query", string.format('{"TableName":"%%s","IndexName":"byType","KeyConditionExpression":"#t = :t",' ..
    '"ExpressionAttributeNames":{"#t":"type"},"ExpressionAttributeValues":{":t":{"S":"T%d"}}}', i % 3),
    count_positive)
end
step("TransactWriteItems",
  '{"TransactItems":[' ..
  '{"Put":{"TableName":"%s","Item":{"pk":{"S":"p0"},"sk":{"N":"101"}},"ConditionExpression":"attribute_not_exists(sk)"}},' ..
  '{"Put":{"TableName":"%s","Item":{"pk":{"S":"p1"},"sk":{"N":"102"}},"ConditionExpression":"attribute_not_exists(sk)"}}]}',
  c.no_error)
step("DeleteTable", '{"TableName":"%s"}', has('"TableDescription"'))

local at, polls, started = 1, 0, nil
local function table_name() return string.format("suite-%s-%d", c.run, suite_runs) end

function request()
  if not started then started = now_us() end
  local s = steps[at]
  local name = table_name()
  return c.request(s[1], string.format(s[2], name, name))
end

-- Ends the run: an error voids it, so there is no point in going on.
local function finish()
  suite_us = now_us() - started
  wrk.thread:stop()
  ffi.C.kill(ffi.C.getpid(), 2)   -- SIGINT ends wrk's wait for -d
end

function response(status, headers, body)
  local s = steps[at]
  if at == describe then
    polls = polls + 1
    local ok = c.verify(status, body, nil)
    if ok and c.check and not active(body) then
      if polls < 10000 then return end   -- ask again
      c.fail("table not ACTIVE after 10000 DescribeTable calls: " .. body)
    end
  else
    c.verify(status, body, s[3], true)   -- every reply of the suite is checked
  end
  polls = 0
  at = at + 1
  if at > #steps then
    at = 1
    suite_runs = suite_runs + 1
  end
  if suite_runs >= suite_target or bench_errors > 0 then finish() end
end
