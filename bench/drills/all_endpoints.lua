-- wrk script: cycle through every endpoint; count statuses per thread and report them.
local paths = {}
for path in string.gmatch(os.getenv("ROUNDUP_PATHS") or "/healthz", "[^ ]+") do
  paths[#paths + 1] = path
end
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  counter = id
  statuses = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  io.write(string.format(
    'SUMMARY {"requests": %d, "duration_s": %.1f, "statuses": {%s}, "errors": {"connect": %d,'
      .. ' "read": %d, "write": %d, "status": %d, "timeout": %d}, "latency_ms": {"p50": %.1f,'
      .. ' "p90": %.1f, "p99": %.1f, "max": %.1f}, "requests_per_s": %.1f}\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ", "),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, summary.requests / (summary.duration / 1e6)))
end
