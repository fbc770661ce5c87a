-- wrk script: every request takes a random line of a URL file; prints a JSON summary.
-- Usage: wrk ... -s bench/urls.lua http://127.0.0.1:PORT -- FILE
-- A line is "PATH" or "PATH<TAB>ETAG"; with an ETag the request carries If-None-Match.

local paths = {}
local etags = {}
local count = 0
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open URL file " .. tostring(args[1]))
  for line in file:lines() do
    if line ~= "" then
      local path, etag = line:match("^([^\t]+)\t(.+)$")
      count = count + 1
      paths[count] = path or line
      etags[count] = etag
    end
  end
  file:close()
  assert(count > 0, "no URLs in " .. args[1])
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function request()
  local index = math.random(count)
  local headers = nil
  if etags[index] then
    headers = { ["If-None-Match"] = etags[index] }
  end
  return wrk.format("GET", paths[index], headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max
  ))
end
