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
  if has(el, "nowrap") then  -- kept on one line: "（2021—2024年）", "6个"
    local out = pandoc.List({ raw_inline("#box[") })
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
local SMALL_TABLE_ROWS = 8   -- rows: a table this small moves whole to the next page
-- lengths are in bytes of UTF-8: 3 per Chinese character, 1 per Latin one, roughly their width
local SHORT_TEXT = 15     -- a text column this short (five Chinese characters) is never squeezed

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
  -- widths: numbers, verdicts and short text take what they need (auto); longer text columns
  -- share the rest of the line in proportion to their length (fr), so that a table with text
  -- always spans the page instead of squeezing its text into a narrow column
  local spec = {}
  for i = 1, ncols do
    local align = numeric[i] and "AlignRight" or "AlignLeft"
    tbl.colspecs[i] = { align, nil }
    if not numeric[i] and not status_col[i] and longest[i] > SHORT_TEXT then
      spec[i] = string.format("%dfr", math.max(math.min(longest[i], 90), 24))
    else
      spec[i] = "auto"
    end
  end
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do cell.attr = pandoc.Attr("", {}, {}) end
  end
  local typst = pandoc.write(pandoc.Pandoc({ tbl }), "typst")
  typst = typst:gsub("columns: [^\n]*,\n", "columns: (" .. table.concat(spec, ", ") .. "),\n", 1)
  if #tbl.caption.long == 0 then
    -- no caption: a plain table, not a numbered figure
    typst = typst:gsub("kind: table", 'kind: "plain", supplement: none, numbering: none')
  end
  local out = raw(typst)
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
