-- GET PREFIX..ID for an ID picked at random, per request, from a file of ids.
-- wrk -s get.lua URL -- IDS_FILE PREFIX [API_KEY]
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua")

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  -- Each thread its own sequence of ids, not the same one twice.
  math.randomseed(os.time() + 7919 * thread_number)
  ids = {}
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
  prefix = args[2]
  if args[3] then
    wrk.headers["Authorization"] = "Bearer " .. args[3]
  end
end

function request()
  return wrk.format(nil, prefix .. ids[math.random(#ids)])
end
