-- Shared by the wrk scripts (loaded with dofile from the repository root, where the bench runs):
-- sums the answers per HTTP status that each thread counted in its `statuses` table and writes
-- "statuses 201:N 409:M ..." for the bench scripts, which show more than wrk's "Non-2xx" line.
return function(threads)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format("%d:%d", status, n))
  end
  table.sort(parts)
  io.write("statuses " .. table.concat(parts, " ") .. "\n")
end
