-- POST /api/v1/invitations, each request a new pair: PAIRS (environment) names a file of "token inviteeId" lines,
-- dealt out to wrk's threads in turn so no two requests send the same invitation.
local pairs_ = {}
local file = io.open(os.getenv("PAIRS"), "r")
for line in file:lines() do
  local token, id = string.match(line, "(%S+)%s+(%S+)")
  if token then pairs_[#pairs_ + 1] = { token, id } end
end
file:close()
thread_id = 0  -- a global: setup() sets it in each thread
local threads = 1
local next_id = 0
local counter = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function init(args)
  threads = tonumber(os.getenv("WRK_THREADS") or "2")
end

function request()
  local index = counter * threads + thread_id + 1
  counter = counter + 1
  local pair = pairs_[(index - 1) % #pairs_ + 1]
  return wrk.format("POST", "/api/v1/invitations", {
    ["Authorization"] = "Bearer " .. pair[1],
    ["Content-Type"] = "application/json",
  }, '{"inviteeId":"' .. pair[2] .. '"}')
end
