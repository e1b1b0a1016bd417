-- Shared by the bench scripts. Each thread counts the answers by status
-- and keeps the first error body; done() prints one machine-readable line,
--   BENCH_JSON {...}
-- with the request count, duration, latency percentiles (microseconds),
-- error counts (status_errors = answers with a status of 400 or more), the
-- count per status and the first error body.
local report = {}
local threads = {}

statuses = {}
first_error = nil

function report.setup(thread)
   table.insert(threads, thread)
end

function report.response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status >= 400 and first_error == nil then
      first_error = body
   end
end

local function json_string(text)
   text = string.sub(text or "", 1, 300)
   text = string.gsub(text, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end)
   return '"' .. text .. '"'
end

function report.done(summary, latency, requests)
   local counts, error_body = {}, nil
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + count
      end
      error_body = error_body or thread:get("first_error")
   end
   local parts = {}
   for status, count in pairs(counts) do
      table.insert(parts, string.format('"%d":%d', status, count))
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
      '"status_errors":%d,"timeouts":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"statuses":{%s},"first_error":%s}\n',
      summary.requests, summary.duration, summary.bytes,
      errors.connect, errors.read, errors.write, errors.status,
      errors.timeout,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean,
      table.concat(parts, ","), json_string(error_body)))
end

return report
