-- PutItem: a ~200-byte item under a new key each time (table "bench").
local c = require("common")
c.workload{
  request = function(n)
    return "PutItem", string.format(
      '{"TableName":"bench","Item":{"pk":{"S":"put-%s-%d"},"sk":{"N":"%d"},' ..
      '"type":{"S":"OrderPlaced"},"payload":{"S":"%s"}}}', c.prefix, n % 1000, n, c.payload)
  end,
  check = c.no_error,
}
