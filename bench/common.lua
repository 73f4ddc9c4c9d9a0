-- Shared by the wrk scripts: a signed-looking DynamoDB request. ddbd (like
-- DynamoDB Local) reads the credential scope but does not verify signatures.
local M = {}

M.auth = "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, " ..
         "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"

function M.request(target, body)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "DynamoDB_20120810." .. target,
    ["Authorization"] = M.auth,
  }, body)
end

-- Counts non-200 replies so a run that measures errors is caught.
local errors = 0
function M.response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("non-200: " .. status .. " " .. body .. "\n") end
  end
end

return M
