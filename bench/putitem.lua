-- PutItem of a ~200-byte event under a new key each time: an event-store append.
package.path = package.path .. ";bench/?.lua;./?.lua"
local c = require("common")
local n = 0
local tid = 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function request()
  n = n + 1
  return c.request("PutItem", string.format(
    '{"TableName":"bench","Item":{"pk":{"S":"stream-%d-%d"},"sk":{"N":"%d"},' ..
    '"type":{"S":"OrderPlaced"},"payload":{"S":"%s"}}}',
    tid or 0, n % 1000, n, string.rep("x", 160)))
end
response = c.response
