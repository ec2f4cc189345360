-- wrk script for the Rocket load benchmark.
--
-- Usage: wrk ... -s bench.lua <base-url> -- <mode> [<entity>]
--   mode: list | get | include | create | update
--   entity: customer (default) | ruled (the customer copy with rules and a state
--           machine; create adds "status":"new", its initial state, to W1's body)
-- Environment:
--   BENCH_TOKEN   bearer token of the app admin (required)
--   BENCH_APP     app name (default "bench")
--   BENCH_IDS     file with one id of <entity> per line (get/include/update)
--   BENCH_NONCE   string that makes W1/W1R emails unique across runs
--
-- Every thread counts the responses whose status is not 2xx and keeps the first
-- few of their bodies; `done` prints the totals in a machine-readable form:
--   BENCH non2xx <n>
--   BENCH status <code> <count>
--   BENCH body <code> <body>
--   BENCH lat <p50 us> <p99 us> <p99.9 us> <max us>

local threads = {}
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("tid", thread_counter)
  table.insert(threads, thread)
end

local mode, entity, base, extra, app, token, ids, nids, counter, headers, json_headers, nonce

function init(args)
  mode = args[1] or "get"
  entity = args[2] or "customer"
  app = os.getenv("BENCH_APP") or "bench"
  token = os.getenv("BENCH_TOKEN") or ""
  nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
  counter = 0
  non2xx = 0
  statuses = {}
  bodies = {}
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  headers = { ["Authorization"] = "Bearer " .. token }
  json_headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  ids = {}
  local path = os.getenv("BENCH_IDS")
  if path then
    local f = assert(io.open(path, "r"), "cannot open " .. path)
    for line in f:lines() do
      if #line > 0 then ids[#ids + 1] = line end
    end
    f:close()
  end
  nids = #ids
  base = "/api/" .. app .. "/" .. entity
  extra = (entity == "ruled") and ',"status":"new"' or ""
  if (mode == "get" or mode == "include" or mode == "update") and nids == 0 then
    error("mode " .. mode .. " needs BENCH_IDS")
  end
end

local function random_id()
  return ids[math.random(nids)]
end

function request()
  if mode == "list" then
    return wrk.format("GET", base .. "?filter[tier]=gold&sort=-score&page=3&per_page=25", headers)
  elseif mode == "get" then
    return wrk.format("GET", base .. "/" .. random_id(), headers)
  elseif mode == "include" then
    return wrk.format("GET", base .. "/" .. random_id() .. "?include=orders", headers)
  elseif mode == "create" then
    counter = counter + 1
    local key = nonce .. "-" .. tid .. "-" .. counter
    local tiers = { "bronze", "silver", "gold" }
    local body = '{"name":"W1 ' .. entity .. ' ' .. key .. '","email":"w1-' .. key ..
      '@bench.example","tier":"' .. tiers[math.random(3)] .. '","score":' .. math.random(0, 100000) ..
      extra .. '}'
    return wrk.format("POST", base, json_headers, body)
  elseif mode == "update" then
    local body = '{"score":' .. math.random(0, 100000) .. '}'
    return wrk.format("PUT", base .. "/" .. random_id(), json_headers, body)
  else
    error("unknown mode " .. tostring(mode))
  end
end

function response(status, hdrs, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if #bodies < 3 then
      bodies[#bodies + 1] = key .. " " .. string.gsub(tostring(body), "[\r\n]", " ")
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  local by_status = {}
  local samples = {}
  for _, t in ipairs(threads) do
    total = total + (t:get("non2xx") or 0)
    local st = t:get("statuses") or {}
    for k, v in pairs(st) do by_status[k] = (by_status[k] or 0) + v end
    local b = t:get("bodies") or {}
    for _, s in ipairs(b) do
      if #samples < 5 then samples[#samples + 1] = s end
    end
  end
  io.write("BENCH non2xx " .. total .. "\n")
  for k, v in pairs(by_status) do io.write("BENCH status " .. k .. " " .. v .. "\n") end
  for _, s in ipairs(samples) do io.write("BENCH body " .. string.sub(s, 1, 600) .. "\n") end
  io.write(string.format("BENCH lat %d %d %d %d\n", latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
