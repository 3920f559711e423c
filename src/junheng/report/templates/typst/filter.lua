-- pandoc Lua filter: the published notebook's HTML → Typst that uses the functions of report.typ.
-- The HTML carries meaning in classes (cell tags, verdicts, status pills, numeric columns); this
-- filter turns each into a call of the Typst template, so the PDF is styled in one place.

local function raw(text) return pandoc.RawBlock("typst", text) end
local function raw_inline(text) return pandoc.RawInline("typst", text) end

local function has(el, class)
  for _, c in ipairs(el.classes or {}) do
    if c == class then return true end
  end
  return false
end

local STATUSES = { "pass", "fail", "not_assessed", "excluded", "borderline", "passed", "failed",
  "incomplete", "invalid", "applies", "clear", "on_track", "off_track", "met", "missed", "no_data" }

local function status_of(el)
  for _, s in ipairs(STATUSES) do
    if has(el, s) then return s end
  end
  return nil
end

local function wrap(blocks, open, close)
  local out = pandoc.List({ raw(open) })
  out:extend(blocks)
  out:insert(raw(close))
  return out
end

-- Internal anchors and ids are not carried into the PDF (its contents come from the headings).
local function no_id(el)
  el.identifier = ""
  return el
end

function Header(el)
  el.identifier = ""
  el.content = el.content:filter(function(i) return not (i.t == "Link" and has(i, "anchor-link")) end)
  return el
end

function Link(el)
  if has(el, "anchor-link") then return {} end
  if el.target:sub(1, 1) == "#" then return el.content end
  return el
end

function Span(el)
  if has(el, "pill") then
    local s = status_of(el) or "neutral"
    local out = pandoc.List({ raw_inline('#pill("' .. s .. '")[') })
    out:extend(el.content)
    out:insert(raw_inline("]"))
    return out
  end
  return el.content
end

local function image_width(img)
  if not img.attributes.width then
    img.attributes.width = has(img, "half") and "60%" or "100%"
  end
  return img
end

function Image(img) return image_width(img) end

function Figure(fig)
  fig.identifier = ""
  -- charts: an image in a figure without caption is just the image, full width
  local blocks = pandoc.List()
  local plain = true
  for _, b in ipairs(fig.content) do
    if b.t ~= "Plain" and b.t ~= "Para" then plain = false end
  end
  if plain and #fig.caption.long == 0 then
    local inlines = pandoc.List()
    for _, b in ipairs(fig.content) do inlines:extend(b.content) end
    return wrap({ pandoc.Plain(inlines) }, "#chart[", "]")
  end
  return fig
end

-- Tables: numeric columns right-aligned, text columns share the width, status cells as pills,
-- small tables kept on one page (long ones break with their header repeated).
local SMALL_TABLE_ROWS = 18
local SHORT_TEXT = 8      -- characters: a text column this short is never squeezed
local TEXT_SHARE = 0.6   -- of the width, shared by the longer text columns

local function cell_text_length(cell)
  return #pandoc.utils.stringify(cell.contents)
end

function Table(tbl)
  tbl.identifier = ""
  tbl.attr = pandoc.Attr("", {}, {})
  local ncols = #tbl.colspecs
  local numeric, status_col, longest, rows = {}, {}, {}, 0
  for i = 1, ncols do numeric[i] = nil; status_col[i] = false; longest[i] = 0 end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      rows = rows + 1
      local col = 1
      for _, cell in ipairs(row.cells) do
        if col <= ncols then
          local is_num = has(cell, "num")
          if numeric[col] == nil then numeric[col] = is_num else numeric[col] = numeric[col] and is_num end
          longest[col] = math.max(longest[col], cell_text_length(cell))
          local s = status_of(cell)
          if has(cell, "status") then status_col[col] = true end
          if s and has(cell, "status") then
            local inner = pandoc.utils.stringify(cell.contents)
            cell.contents = { pandoc.Plain({ raw_inline('#pill("' .. s .. '")['), pandoc.Str(inner), raw_inline("]") }) }
          end
          if is_num then cell.alignment = "AlignRight" end
          cell.attr = pandoc.Attr("", {}, {})
        end
        col = col + (cell.col_span or 1)
      end
    end
  end
  -- widths: numbers, verdicts and short text take what they need; longer text columns share
  -- the rest in proportion to their length
  local shared = {}
  local shared_total = 0
  for i = 1, ncols do
    if not numeric[i] and not status_col[i] and longest[i] > SHORT_TEXT then
      shared[i] = math.min(longest[i], 40)
      shared_total = shared_total + shared[i]
    end
  end
  for i = 1, ncols do
    local align = numeric[i] and "AlignRight" or "AlignLeft"
    local width = nil
    if shared[i] and shared_total > 0 then
      width = TEXT_SHARE * shared[i] / shared_total
    end
    tbl.colspecs[i] = { align, width }
  end
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do cell.attr = pandoc.Attr("", {}, {}) end
  end
  local out = tbl
  if #tbl.caption.long == 0 then
    -- no caption: a plain table, not a numbered figure
    local typst = pandoc.write(pandoc.Pandoc({ tbl }), "typst")
    typst = typst:gsub("kind: table", 'kind: "plain", supplement: none, numbering: none')
    out = raw(typst)
  end
  if rows <= SMALL_TABLE_ROWS then
    return wrap({ out }, "#keep[", "]")
  end
  return out
end

local BLOCK_CLASSES = { cover = "cover", note = "note", lead = "lead", callout = "callout", profile = "profile" }

function Div(div)
  if has(div, "toc") then
    return raw("#contents()")
  end
  if has(div, "verdict") then
    return wrap(div.content, '#verdict("' .. (status_of(div) or "neutral") .. '")[', "]")
  end
  for class, fn in pairs(BLOCK_CLASSES) do
    if has(div, class) then return wrap(div.content, "#" .. fn .. "[", "]") end
  end
  local blocks = div.content
  if has(div, "cell") then
    if has(div, "celltag_landscape") then
      blocks = wrap(blocks, "#landscape[", "]")
    end
    if has(div, "celltag_new-page") then
      local out = pandoc.List({ raw("#pagebreak(weak: true)") })
      out:extend(blocks)
      blocks = out
    end
  end
  return blocks
end

function RawBlock(el)
  if el.format == "html" then return {} end
  return el
end

function RawInline(el)
  if el.format == "html" then return {} end
  return el
end

function CodeBlock(el) return no_id(el) end
