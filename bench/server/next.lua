-- wrk: every request is one agent session asking for its next contact (POST .../next).
-- Sessions (cookie, csrf) come from the file named by $SESSIONS, written by run.sh.
local sessions = dofile(os.getenv("SESSIONS"))
local i = 0
request = function()
  i = i % #sessions + 1
  local s = sessions[i]
  return wrk.format("POST", "/api/v1/campaigns/demo/next",
    {["Cookie"] = s[1], ["X-CSRF-Token"] = s[2], ["Content-Type"] = "application/json"}, "{}")
end
