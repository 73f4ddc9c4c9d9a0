-- GetItem of the 1,000 items bench/run seeds (pk "item-<0..999>", sk 1);
-- a sampled reply must hold the Item.
local c = require("common")
c.workload{
  request = function(n)
    return "GetItem", string.format(
      '{"TableName":"bench","Key":{"pk":{"S":"item-%d"},"sk":{"N":"1"}}}', n % 1000)
  end,
  check = function(body) return string.find(body, '"Item"', 1, true) ~= nil end,
}
