-- wrk script for POST /api/v1/appointments: citizens booking the free slots of the benchmark office
-- (bench/config: 10 desks, 10-minute slots, weekdays 08:30-12:00 and 13:00-16:30), 10 bookings per
-- slot in order, each by its own citizen (the per-contact cap counts active appointments per e-mail),
-- so every answer should be 201. bench/group-commit.sh runs it on a fresh database with the clock at
-- 2027-01-31 07:00 (a Sunday), so the 77 open weekdays of 16 weeks from Monday 2027-02-01 hold 32,340
-- bookable places.
-- LOKET_BOOKING_STATE names a file that carries the next free place from one wrk run to the next
-- (the warm-up run, then the measured one), so the second run does not book full slots again.
local state = os.getenv("LOKET_BOOKING_STATE") or error("LOKET_BOOKING_STATE is not set")
local desks, perDay = 10, 42

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local report_statuses = dofile("bench/statuses.lua")
local threads = {}

local function readBase()
  local f = io.open(state, "r")
  if not f then return 0 end
  local n = tonumber(f:read("*l") or "0") or 0
  f:close()
  return n
end

function setup(thread)
  thread:set("tid", #threads)
  thread:set("base", readBase())
  table.insert(threads, thread)
end

-- The open weekdays from Monday 2027-02-01: 16 weeks less the Belgian public holidays in them
-- (Easter Monday 29 March, Ascension 6 May, Whit Monday 17 May), when the office is closed and a
-- booking would get 422. Once the bookings got fast enough, a run reached Easter Monday.
local holidays = { ["2027-03-29"] = true, ["2027-05-06"] = true, ["2027-05-17"] = true }
local openDays = {}
for week = 0, 15 do
  for weekday = 0, 4 do
    local date = os.date("%Y-%m-%d", os.time({ year = 2027, month = 2, day = 1 + 7 * week + weekday, hour = 12 }))
    if not holidays[date] then table.insert(openDays, date) end
  end
end

-- The start of the n-th slot (0-based): 21 slots a half-day on the open days.
local function slotStart(n)
  local day, slot = math.floor(n / perDay), n % perDay
  local date = openDays[day + 1] or error("bench/bookings.lua: past the 16 weeks of places")
  local minutes = (slot < 21) and (8 * 60 + 30 + 10 * slot) or (13 * 60 + 10 * (slot - 21))
  -- Belgian summer time begins on 2027-03-28.
  local offset = (date < "2027-03-28") and "+01:00" or "+02:00"
  return string.format("%sT%02d:%02d:00%s", date, math.floor(minutes / 60), minutes % 60, offset)
end

function init(args)
  statuses = {}
  sent = 0
end

function request()
  local k = base + sent * 2 + tid   -- two wrk threads (run.sh's WRK_THREADS), interleaved
  sent = sent + 1
  local body = string.format(
    '{"service":"bench-consult","location":"bench-office","start":"%s","persons":1,"name":"Bench Citizen","email":"b%d@example.be"}',
    slotStart(math.floor(k / desks)), k)
  return wrk.format(nil, "/api/v1/appointments", nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  report_statuses(threads)
  local used = 0
  for _, thread in ipairs(threads) do
    used = math.max(used, thread:get("sent"))
  end
  local f = io.open(state, "w")
  f:write(string.format("%d\n", readBase() + 2 * used + 2))
  f:close()
end
