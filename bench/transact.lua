-- TransactWriteItems over 2 tables: an event appended to "bench" (conditional
-- on a new sort key) and an outbox row written to "bench2", all or nothing.
local c = require("common")
c.workload{
  request = function(n)
    return "TransactWriteItems", string.format(
      '{"TransactItems":[' ..
      '{"Put":{"TableName":"bench","Item":{"pk":{"S":"tx-%s-%d"},"sk":{"N":"%d"},' ..
      '"type":{"S":"OrderPlaced"},"payload":{"S":"%s"}},"ConditionExpression":"attribute_not_exists(sk)"}},' ..
      '{"Put":{"TableName":"bench2","Item":{"pk":{"S":"outbox-%s"},"sk":{"N":"%d"},' ..
      '"event":{"S":"tx-%s-%d/%d"}}}}]}',
      c.prefix, n % 100, n, c.payload, c.prefix, n, c.prefix, n % 100, n)
  end,
  check = c.no_error,
}
