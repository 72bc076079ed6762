-- Driven by tests/nvim.rs: Neovim's own LSP client opens a policy with a
-- mistake, waits for sopc's diagnostic, asks for the code actions at it,
-- applies the first one as Neovim applies any workspace edit, writes the
-- file and waits for the diagnostics to clear. Neovim 0.7 and later.
local bin = os.getenv("SOPC_BIN")
local path = os.getenv("SOPC_POLICY")

local function say(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function fail(why)
  say("FAIL " .. why)
  vim.cmd("cquit 1")
end

vim.cmd("edit " .. vim.fn.fnameescape(path))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = "sopc",
  cmd = { bin, "lsp", "--today", "2026-11-28" },
  root_dir = vim.fn.fnamemodify(path, ":h"),
})
if not id then
  fail("the client did not start")
end
vim.lsp.buf_attach_client(buf, id)

local errors = function()
  return vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })
end
if not vim.wait(20000, function() return #errors() > 0 end, 20) then
  fail("no diagnostic came")
end
local d = errors()[1]
say("DIAGNOSTIC " .. d.lnum .. ":" .. d.col .. " " .. d.message:gsub("\n.*", ""))

local client = vim.lsp.get_client_by_id(id)
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = {
    start = { line = d.lnum, character = d.col },
    ["end"] = { line = d.end_lnum, character = d.end_col },
  },
  context = { diagnostics = {} },
}
local reply = client.request_sync("textDocument/codeAction", params, 10000, buf)
if not reply or reply.err or not reply.result or #reply.result == 0 then
  fail("no code action: " .. vim.inspect(reply))
end
local action = reply.result[1]
say("ACTION " .. action.title)
vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
vim.cmd("write")

if not vim.wait(20000, function() return #errors() == 0 end, 20) then
  fail("the error stayed: " .. errors()[1].message)
end
say("CLEAN")
vim.lsp.stop_client(id)
vim.cmd("qall!")
