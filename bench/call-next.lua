-- wrk script for call-next on a queue of steady length: each connection alternates
-- POST /api/v1/counters/{id}/call-next (a clerk) and POST /api/v1/tickets (a kiosk), so every call
-- takes one ticket off the queue and the next request puts one back; the queue keeps the length
-- bench/history.sh gave it, on an empty database and on a year of history alike.
-- Environment: LOKET_CLERK, LOKET_KIOSK (tokens), LOKET_COUNTERS (comma-separated, open counters),
-- LOKET_LOCATION, LOKET_SERVICE. Counts answers per status for the bench's sanity check.
local clerk = os.getenv("LOKET_CLERK") or error("LOKET_CLERK is not set")
local kiosk = os.getenv("LOKET_KIOSK") or error("LOKET_KIOSK is not set")
local location = os.getenv("LOKET_LOCATION") or "stadhuis"
local service = os.getenv("LOKET_SERVICE") or "eid-aanvraag"
local counters = {}
for c in string.gmatch(os.getenv("LOKET_COUNTERS") or "stadhuis-1", "[^,]+") do table.insert(counters, c) end

local report_statuses = dofile("bench/statuses.lua")
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("index", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local call_requests, issue_request, turn

function init(args)
  statuses = {}
  turn = 0
  issue_request = wrk.format("POST", "/api/v1/tickets",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. kiosk },
    string.format('{"location":"%s","service":"%s"}', location, service))
  call_requests = {}
  for i, c in ipairs(counters) do
    call_requests[i] = wrk.format("POST", "/api/v1/counters/" .. c .. "/call-next",
      { ["Authorization"] = "Bearer " .. clerk, ["Content-Length"] = "0" }, nil)
  end
end

function request()
  turn = turn + 1
  if turn % 2 == 1 then
    return call_requests[(math.floor(turn / 2) + index) % #call_requests + 1]
  end
  return issue_request
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  report_statuses(threads)
end
