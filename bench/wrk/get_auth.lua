-- wrk script: GET with a bearer token (TOKEN env); counts non-2xx answers.
wrk.method = "GET"
local token = os.getenv("TOKEN")
if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
local bad = 0
function response(status, headers, body)
  if status >= 300 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", bad))
end
