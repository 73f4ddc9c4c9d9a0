-- GetItem of items bench/seed wrote (pk "item-<0..999>", sk 1).
package.path = package.path .. ";bench/?.lua;./?.lua"
local c = require("common")
local n = 0
function request()
  n = n + 1
  return c.request("GetItem", string.format(
    '{"TableName":"bench","Key":{"pk":{"S":"item-%d"},"sk":{"N":"1"}}}', n % 1000))
end
response = c.response
