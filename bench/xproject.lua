-- bench/xproject.lua: wrk script for bench/xproject.sh: each request asks
-- about one of the projects listed in $IDS (in turn), at the path
-- /projects/{id}/$WHAT, with the key $KEY.
local ids, n, i = {}, 0, 0
for line in io.lines(os.getenv("IDS")) do
	n = n + 1
	ids[n] = line
end
local what, key = os.getenv("WHAT"), os.getenv("KEY")
request = function()
	i = i % n + 1
	return wrk.format("GET", "/projects/" .. ids[i] .. "/" .. what, { ["X-API-Key"] = key })
end
