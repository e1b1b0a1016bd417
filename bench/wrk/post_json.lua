-- POST the JSON document in $BENCH_BODY to the URL, on every connection,
-- with keep-alive. Used for job creation (plain and with a session_name).
--   BENCH_BODY='{"client_id": ...}' WRK_LUA_DIR=bench/wrk \
--     wrk -t1 -c8 -d10s -s bench/wrk/post_json.lua http://127.0.0.1:9500/v2/p1/jobs
package.path = os.getenv("WRK_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["X-User-Id"] = "bench-user"

setup = report.setup
response = report.response
done = report.done
