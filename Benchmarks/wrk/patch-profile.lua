-- PATCH /api/v1/me/profile with a headline that changes on every request, so each one is a real write.
-- TOKENS (environment): the bearer tokens to write with, separated by spaces; each request takes the next.
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or "", "%S+") do tokens[#tokens + 1] = t end
local counter = 0
thread_id = 0  -- a global: setup() sets it in each thread
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function request()
  counter = counter + 1
  local token = tokens[(counter + thread_id) % #tokens + 1]
  local body = string.format('{"headline":"Engineer %d-%d"}', thread_id, counter)
  return wrk.format("PATCH", nil, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
