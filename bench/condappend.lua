-- Conditional append, an event store's write: PutItem of a ~200-byte event
-- on a new sort key, with ConditionExpression attribute_not_exists(sk), into
-- 100 streams per thread (table "bench").
local c = require("common")
c.workload{
  request = function(n)
    return "PutItem", string.format(
      '{"TableName":"bench","Item":{"pk":{"S":"stream-%s-%d"},"sk":{"N":"%d"},' ..
      '"type":{"S":"OrderPlaced"},"payload":{"S":"%s"}},' ..
      '"ConditionExpression":"attribute_not_exists(sk)"}', c.prefix, n % 100, n, c.payload)
  end,
  check = c.no_error,
}
