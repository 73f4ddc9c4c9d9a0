-- BatchWriteItem of 25 ~200-byte items (DynamoDB's maximum) under new keys
-- into "bench"; a sampled reply must leave no UnprocessedItems. One request
-- writes 25 items: req/s here is batches per second.
local c = require("common")
local puts = {}
c.workload{
  request = function(n)
    for i = 1, 25 do
      puts[i] = string.format(
        '{"PutRequest":{"Item":{"pk":{"S":"batch-%s-%d"},"sk":{"N":"%d"},' ..
        '"type":{"S":"OrderPlaced"},"payload":{"S":"%s"}}}}', c.prefix, n % 1000, n * 25 + i, c.payload)
    end
    return "BatchWriteItem", '{"RequestItems":{"bench":[' .. table.concat(puts, ",") .. ']}}'
  end,
  check = function(body) return string.find(body, '"UnprocessedItems":%s*{%s*}') ~= nil end,
}
