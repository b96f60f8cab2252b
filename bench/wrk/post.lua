-- POST one fixed JSON body to the URL's path, optionally with an API key.
-- wrk -s post.lua URL -- BODY [API_KEY]
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua")

function init(args)
  -- No request() function: wrk formats this request once and sends it as is.
  wrk.method = "POST"
  wrk.body = args[1]
  wrk.headers["Content-Type"] = "application/json"
  if args[2] then
    wrk.headers["Authorization"] = "Bearer " .. args[2]
  end
end
