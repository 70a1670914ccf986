-- Loads conversations: every request is a new customer's first message (a new conversation).
-- BENCH_TOTAL requests in all, split over BENCH_THREADS wrk threads; each stops after its share.
local token = os.getenv("BENCH_TOKEN")
local share = math.floor(tonumber(os.getenv("BENCH_TOTAL")) / tonumber(os.getenv("BENCH_THREADS")))
local next_thread = 0
local counter = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

request = function()
  counter = counter + 1
  if counter > share then
    wrk.thread:stop()
  end
  local n = thread_id * 10000000 + counter
  local body = string.format(
    '{"external_id":"load-%d","from":{"name":"Customer %d","phone":"+55%011d"},"text":"Hello, order %d"}',
    n, n, n, n)
  return wrk.format("POST", "/api/v1/channels/wa/inbound",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
