-- The conditional append of condappend.lua into table "events", which has a
-- NEW_IMAGE stream and a KEYS_ONLY GSI on the event type: each append also
-- writes a stream record and an index entry.
local c = require("common")
c.workload{
  request = function(n)
    return "PutItem", string.format(
      '{"TableName":"events","Item":{"pk":{"S":"stream-%s-%d"},"sk":{"N":"%d"},' ..
      '"type":{"S":"Type%d"},"payload":{"S":"%s"}},' ..
      '"ConditionExpression":"attribute_not_exists(sk)"}', c.prefix, n % 100, n, n % 10, c.payload)
  end,
  check = c.no_error,
}
