-- wrk script for POST /api/v1/tickets: a kiosk issuing walk-in tickets as fast as it can.
-- bench/run.sh sets LOKET_TOKEN (a kiosk token), LOKET_LOCATION and LOKET_SERVICE.
-- Counts answers per status so that run.sh can show more than wrk's "Non-2xx or 3xx" line.
local token = os.getenv("LOKET_TOKEN") or error("LOKET_TOKEN is not set")
local location = os.getenv("LOKET_LOCATION") or "stadhuis"
local service = os.getenv("LOKET_SERVICE") or "eid-aanvraag"

wrk.method = "POST"
wrk.path = "/api/v1/tickets"
wrk.body = string.format('{"location":"%s","service":"%s"}', location, service)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local report_statuses = dofile("bench/statuses.lua")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  report_statuses(threads)
end
