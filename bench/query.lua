-- Query of one partition of 10 items (bench/run seeds "q-<0..99>" with sk 1..10);
-- a sampled reply must hold Count 10.
local c = require("common")
c.workload{
  request = function(n)
    return "Query", string.format(
      '{"TableName":"bench","KeyConditionExpression":"pk = :p",' ..
      '"ExpressionAttributeValues":{":p":{"S":"q-%d"}}}', n % 100)
  end,
  check = function(body) return string.find(body, '"Count":%s*10[,}]') ~= nil end,
}
