-- Commands: private notes on conversations picked round-robin from BENCH_IDS_FILE (one id a line).
local token = os.getenv("BENCH_TOKEN")
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
  table.insert(ids, line)
end
local i = 0
request = function()
  i = i + 1
  local id = ids[(i * 7919) % #ids + 1]
  return wrk.format("POST", "/api/v1/conversations/" .. id .. "/messages",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
    '{"text":"checking the order, @ana","private":true}')
end
