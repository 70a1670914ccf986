-- GET one path with the token, as fast as wrk can.
local token = os.getenv("BENCH_TOKEN")
request = function()
  return wrk.format("GET", os.getenv("BENCH_PATH"), { ["Authorization"] = "Bearer " .. token })
end
