-- GET the URL, sending $BENCH_BODY (if set) as a JSON search document the
-- way python-freezerclient does: a GET with a body. Used for job polls.
--   BENCH_BODY='{"match": [{"client_id": "p1_host0042"}]}' \
--   WRK_LUA_DIR=bench/wrk wrk -t1 -c1 -d10s -s bench/wrk/get_json.lua \
--     'http://127.0.0.1:9500/v2/p1/jobs?limit=100'
package.path = os.getenv("WRK_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local body = os.getenv("BENCH_BODY")
wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
wrk.headers["X-User-Id"] = "bench-user"
if body ~= nil and body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end

setup = report.setup
response = report.response
done = report.done
