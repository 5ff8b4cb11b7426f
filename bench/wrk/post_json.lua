-- wrk script: POST a JSON body (BODY env) with an optional bearer token (TOKEN env).
wrk.method = "POST"
wrk.body = os.getenv("BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end

-- Count non-2xx answers so a benchmark of errors is never mistaken for a benchmark of work.
local bad = 0
function response(status, headers, body)
  if status >= 300 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", bad))
end
