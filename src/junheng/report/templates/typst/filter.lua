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

-- an element's classes as a set, read once (each ``el.classes`` converts the element's attributes)
local function class_set(el)
  local set = {}
  for _, c in ipairs(el.classes or {}) do set[c] = true end
  return set
end

local function status_in(set)
  for _, s in ipairs(STATUSES) do
    if set[s] then return s end
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
  -- a Typst heading ends at the end of its source line: a line break inside one (the cover's title on
  -- three lines) is written as #linebreak() so that every line stays in the heading, at its size
  el.content = el.content:map(function(i) return i.t == "LineBreak" and raw_inline("#linebreak()") or i end)
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
  -- charts: an image in a figure is the image, full width, with its caption under it if it has one
  local blocks = pandoc.List()
  local plain = true
  for _, b in ipairs(fig.content) do
    if b.t ~= "Plain" and b.t ~= "Para" then plain = false end
  end
  if plain then
    local inlines = pandoc.List()
    for _, b in ipairs(fig.content) do inlines:extend(b.content) end
    if #fig.caption.long == 0 then
      return wrap({ pandoc.Plain(inlines) }, "#chart[", "]")
    end
    -- a numbered chart (图1　… , numbered in the HTML): the image and its caption kept together
    local caption = pandoc.List()
    for _, b in ipairs(fig.caption.long) do
      if b.content then caption:extend(b.content) end
    end
    local out = pandoc.List({ raw_inline("#captioned-chart[") })
    out:extend(inlines)
    out:insert(raw_inline("]["))
    out:extend(caption)
    out:insert(raw_inline("]"))
    return pandoc.Plain(out)
  end
  return fig
end

-- Tables: numeric columns right-aligned, status cells as pills, every table as wide as the text
-- (as on the web page), short text (a school's name) on one line, small tables kept on one page,
-- long ones broken with their header repeated and never a lone row at either end.
local SMALL_TABLE_ROWS = 8   -- rows: a table this small moves whole to the next page
local GLUE_ROWS = 2          -- a longer table keeps this many rows together at its start and end
-- lengths are in bytes of UTF-8: 3 per Chinese character, 1 per Latin one, roughly their width
local SHORT_TEXT = 21     -- a text column this short (seven Chinese characters) is always on one line
local SHORT_EM = 7        -- and a name that cannot have its line gets at least that width (two lines)
local NAME_TEXT = 48      -- up to sixteen characters (a school's name): on one line while there is room
local LINE_EM = 55        -- em of table text (8.5pt) on an A4 portrait line, less a margin
-- and on a landscape line (259 mm, 86.4 em, less the same margin): a table in a cell tagged landscape
-- with free text to wrap is laid out for it, so that its names keep their line and the text takes the
-- rest (学校名单: its 原因 column had one character a line on a portrait page). A landscape table
-- without such text (the 附表: names and numbers) keeps the columns it has on a portrait line, its
-- name column (fr) taking the width the landscape page adds.
local LANDSCAPE_LINE_EM = 84
-- the Typst of a table on a portrait line -> the same table laid out for a landscape line, when its
-- columns differ there (`Table`); a landscape cell takes the latter (`Div`)
local WIDE = {}
local TEXT_ROOM = 6       -- em that one-line columns leave to each longer text column (at least its widest word)
local HEADER_EM = 8       -- a header wider than this may wrap: it does not widen its column
local INSET_EM = 1.2      -- a cell's insets (4pt a side) in em
local GLUE = "JUNHENG-GLUE"
local CJK_WORD_EM = 8     -- a Chinese run up to this long (十二年一贯制学校) is a word a column never splits
local LATIN_WORD_EM = 14  -- an English word up to this long is never split either

local function cell_text_length(cell)
  return #pandoc.utils.stringify(cell.contents)
end

-- the width of a text on one line, in em of the table's text: 1 per Chinese character or symbol
-- (≥, —), 0.6 per ASCII character, 0.25 where Chinese meets Latin (Typst's CJK-Latin spacing)
local function measure_em(text)
  local width, last = 0, nil
  for _, code in utf8.codes(text) do
    local kind = code >= 0x80 and "wide" or "narrow"
    if code == 0x20 then kind = last end
    width = width + ((code >= 0x80) and 1 or 0.6)
    if last and kind and kind ~= last then width = width + 0.25 end
    last = kind
  end
  return width
end

-- ``measure`` of each text computed once (a table repeats its numbers, verdicts and names)
local function once_per_text(measure)
  local known = {}
  return function(text)
    local value = known[text]
    if value == nil then
      value = measure(text)
      known[text] = value
    end
    return value
  end
end

local text_em = once_per_text(measure_em)

-- the widest word of ``text`` in em: an English word, or a run of Chinese between punctuation (up to
-- CJK_WORD_EM, the length of a school's type or a short name): the least width its column may have
local function measure_word_em(text)
  local widest, word, kind = 0, {}, nil
  local function close()
    if #word > 0 then
      local em = text_em(table.concat(word))
      widest = math.max(widest, math.min(em, kind == "wide" and CJK_WORD_EM or LATIN_WORD_EM))
    end
    word, kind = {}, nil
  end
  for _, code in utf8.codes(text) do
    local ch = utf8.char(code)
    local breaks = code == 0x20 or code == 0xA0 or ch:match("^[-/,;:]$") ~= nil
      or (code >= 0x3000 and code <= 0x303F) or (code >= 0xFF01 and code <= 0xFF1F)
    if breaks then
      if ch == "-" or ch == "/" then table.insert(word, ch) end
      close()
    else
      local this = code >= 0x80 and "wide" or "narrow"
      if kind and this ~= kind then close() end  -- a line may break where Chinese meets Latin
      kind = this
      table.insert(word, ch)
    end
  end
  close()
  return widest
end

local word_em = once_per_text(measure_word_em)

-- whether a column ``width`` em wide leaves one of ``texts`` with a last line of one character
local function leaves_a_lone_character(texts, width)
  for _, text in ipairs(texts) do
    local rest = text_em(text) % width
    if text_em(text) > width and rest > 0 and rest <= 1 then return true end
  end
  return false
end

-- a number as pandas writes it (1,234  −0.5  12.3%  nan): a plain DataFrame has no "num" classes
local function looks_numeric(text)
  text = text:gsub("\u{2212}", "-"):gsub("[,%s]", "")
  return text == "" or text == "nan" or text == "NaN" or text == "None" or text == "<NA>"
    or text:match("^[-+]?%d+%.?%d*[%%]?$") ~= nil or text:match("^[-+]?%d*%.%d+[%%]?$") ~= nil
end

-- an extra column of zero width whose cells span the first and the last GLUE_ROWS rows and may not
-- break: Typst then never leaves a table's first or last row alone on a page
local function glue_rows(tbl, rows)
  tbl.colspecs:insert({ "AlignDefault", nil })
  for _, row in ipairs(tbl.head.rows) do
    row.cells:insert(pandoc.Cell({}, "AlignDefault", 1, 1))
  end
  local body = tbl.bodies[1].body
  for i, row in ipairs(body) do
    if i == 1 or i == rows - GLUE_ROWS + 1 then
      row.cells:insert(pandoc.Cell({ pandoc.Plain({ pandoc.Str(GLUE) }) }, "AlignDefault", GLUE_ROWS, 1))
    elseif i > GLUE_ROWS and i <= rows - GLUE_ROWS then
      row.cells:insert(pandoc.Cell({}, "AlignDefault", 1, 1))
    end
  end
end

function Table(tbl)
  tbl.identifier = ""
  tbl.attr = pandoc.Attr("", {}, {})
  local ncols = #tbl.colspecs
  local numeric, status_col, longest, widest, rows = {}, {}, {}, {}, 0
  local classed, spans = false, false  -- the HTML says which cells are numbers; a cell spans rows
  local texts = {}  -- column -> every body text (to tell numbers of a plain DataFrame)
  local word = {}  -- column -> its widest word (word_em): the column is never narrower
  for i = 1, ncols do
    numeric[i] = nil; status_col[i] = false; longest[i] = 0; widest[i] = ""; texts[i] = {}; word[i] = 0
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      rows = rows + 1
      local col = 1
      for _, cell in ipairs(row.cells) do
        -- (each property read converts it from pandoc's cell: read once)
        local col_span = cell.col_span or 1
        if (cell.row_span or 1) > 1 then spans = true end
        if col <= ncols then
          local classes = class_set(cell)
          local is_num = classes.num == true
          if is_num or classes.status or classes.text then classed = true end
          if numeric[col] == nil then numeric[col] = is_num else numeric[col] = numeric[col] and is_num end
          -- the cell itself, not cell.contents: that would convert every cell's blocks to Lua and back
          -- (half the filter's time), for the same text
          local text = pandoc.utils.stringify(cell)
          if col_span == 1 then
            if text_em(text) > text_em(widest[col]) then widest[col] = text end  -- widest as printed
            longest[col] = math.max(longest[col], #text)
            word[col] = math.max(word[col], word_em(text))
            table.insert(texts[col], text)
          end
          local s = status_in(classes)
          if classes.status then status_col[col] = true end
          if s and classes.status then
            -- a verdict as a pill; a long one ("达标；存在一票否决情形…") as coloured text that wraps
            local fn = #text > SHORT_TEXT and "#status-text(" or "#pill("
            cell.contents = { pandoc.Plain({ raw_inline(fn .. '"' .. s .. '")['), pandoc.Str(text), raw_inline("]") }) }
          end
          if is_num then cell.alignment = "AlignRight" end
          cell.attr = pandoc.Attr("", {}, {})
        end
        col = col + col_span
      end
    end
  end
  if not classed then  -- a DataFrame as pandas writes it: numbers are told by their look
    for i = 1, ncols do
      local any = false
      numeric[i] = #texts[i] > 0
      for _, text in ipairs(texts[i]) do
        if not looks_numeric(text) then numeric[i] = false end
        if text ~= "" then any = true end
      end
      numeric[i] = numeric[i] and any
    end
  end
  -- a column is as wide as its header too, when that is short
  local header, header_wraps = {}, {}
  for i = 1, ncols do header[i] = 0; header_wraps[i] = false end
  for _, row in ipairs(tbl.head.rows) do
    local col = 1
    for _, cell in ipairs(row.cells) do
      local col_span = cell.col_span or 1
      if col <= ncols and col_span == 1 then
        local text = pandoc.utils.stringify(cell)
        header[col] = math.max(header[col], math.min(text_em(text), HEADER_EM))
        if text_em(text) > HEADER_EM then header_wraps[col] = true end
        word[col] = math.max(word[col], word_em(text))
        -- (by its printed width: "学校代码" is narrower than "9901260001", though longer in bytes)
        -- (a header wider than HEADER_EM wraps at its words: it does not set the width)
        if #text <= SHORT_TEXT and text_em(text) <= HEADER_EM and text_em(text) > text_em(widest[col]) then
          widest[col] = text
        end
      end
      cell.attr = pandoc.Attr("", {}, {})
      col = col + col_span
    end
  end
  -- widths. A column's need, in em: its widest entry on one line (a pill adds its frame).
  local need = {}
  for i = 1, ncols do
    -- a number column's long header wraps to its words: the numbers set the width
    local head = (numeric[i] and header_wraps[i]) and 0 or header[i]
    need[i] = math.max(text_em(widest[i]) + (status_col[i] and 1.2 or 0), head, word[i]) + INSET_EM
    word[i] = word[i] + INSET_EM
  end
  local total = 0
  for i = 1, ncols do total = total + need[i] end
  -- free text longer than a name (原因, 措施): on landscape pages it takes the width they add
  local has_text = false
  for i = 1, ncols do
    if not numeric[i] and longest[i] > NAME_TEXT then has_text = true end
  end
  -- the columns for a line of ``line_em`` (LINE_EM on a portrait page; a table on landscape pages also
  -- gets one for LANDSCAPE_LINE_EM, kept in WIDE)
  local function column_spec(line_em)
    local spec = {}
    if total <= line_em and ncols > 0 then
      -- everything fits on one line: every column gets what it needs and the rest of the line in
      -- proportion, so the table spans the text width as every table on the web page does
      for i = 1, ncols do spec[i] = string.format("%dfr", math.max(1, math.floor(need[i] * 10 + 0.5))) end
    else
      -- numbers and verdicts take what they need (auto); short text gets the width of its longest
      -- entry on one line, and so does a name (up to NAME_TEXT) while the line has room, so that
      -- neither is squeezed to a character a line by wide number columns; longer text shares the
      -- rest of the line in proportion to its length (fr)
      local fixed, long_text, names = 0, 0, {}
      for i = 1, ncols do
        if status_col[i] and longest[i] <= SHORT_TEXT and longest[i] > 0 then
          -- pills never wrap (落后/于进/度): as wide as the widest
          spec[i] = string.format("%.2fem + 10pt", need[i] - INSET_EM + 0.3)
          fixed = fixed + need[i]
        elseif numeric[i] and header_wraps[i] then
          -- a long header ("学校数比2023年增减") wraps: auto would set it on one line and squeeze the rest
          spec[i] = string.format("%.2fem + 10pt", need[i] - INSET_EM + 0.3)
          fixed = fixed + need[i]
        elseif numeric[i] or longest[i] == 0 then
          spec[i] = "auto"
          fixed = fixed + need[i]
        elseif longest[i] <= SHORT_TEXT then
          spec[i] = string.format("%.2fem + 10pt", need[i] - INSET_EM + 0.3)
          fixed = fixed + need[i]
        else
          if longest[i] > NAME_TEXT then
            long_text = long_text + math.max(TEXT_ROOM, word[i])  -- the room it keeps: at least its word
          else
            table.insert(names, i)
          end
          spec[i] = string.format("%dfr", math.max(math.min(longest[i], 90), 24))
        end
      end
      -- the widest name first: a narrower one on two lines still keeps its words (word_em)
      table.sort(names, function(a, b) return need[a] > need[b] end)
      local room = line_em - long_text
      for _, i in ipairs(names) do
        -- the name on one line, else on two (half its width, at least SHORT_EM), else it shares (fr)
        local half = math.max(math.ceil((need[i] - INSET_EM) / 2), SHORT_EM, word[i] - INSET_EM)
        while half < need[i] - INSET_EM and leaves_a_lone_character(texts[i], half) do half = half + 0.5 end
        for _, width in ipairs({ need[i], half + INSET_EM }) do
          if fixed + width <= room then
            spec[i] = string.format("%.2fem + 10pt", width - INSET_EM + 0.3)
            fixed = fixed + width
            break
          end
        end
      end
    end
    -- a column that shares the line (fr) gets at least its widest word: the share it would get is
    -- worked out, and a column it leaves too narrow ("Deadline" a word a line) is fixed at its word
    local shared = {}
    local left = line_em
    for i = 1, ncols do
      if spec[i]:match("fr$") then table.insert(shared, i) else left = left - math.min(need[i], line_em) end
    end
    if total > line_em then
      local changed = true
      while changed do
        changed = false
        local sum = 0
        for _, i in ipairs(shared) do sum = sum + tonumber(spec[i]:match("^(%d+)fr$")) end
        for k, i in ipairs(shared) do
          local share = math.max(left, 0) * tonumber(spec[i]:match("^(%d+)fr$")) / sum
          -- (unless the line has no room left for it: a long word may then wrap, the table never overflows)
          if share < word[i] and left >= word[i] then
            spec[i] = string.format("%.2fem + 10pt", word[i] - INSET_EM + 0.3)
            left = left - word[i]
            table.remove(shared, k)
            changed = true
            break
          end
        end
      end
    end
    return spec
  end
  local spec = column_spec(LINE_EM)
  for i = 1, ncols do
    tbl.colspecs[i] = { numeric[i] and "AlignRight" or "AlignLeft", nil }
  end
  local glued = rows > SMALL_TABLE_ROWS and #tbl.bodies == 1 and not spans and #tbl.bodies[1].head == 0
    and #tbl.foot.rows == 0
  if glued then
    glue_rows(tbl, rows)
    table.insert(spec, "0pt")
  end
  local typst = pandoc.write(pandoc.Pandoc({ tbl }), "typst")
  typst = typst:gsub("columns: [^\n]*,\n", "columns: (" .. table.concat(spec, ", ") .. "),\n", 1)
  typst = typst:gsub("table%.cell%(rowspan: (%d+)%)%[" .. GLUE:gsub("%-", "%%-") .. "%]",
    "table.cell(rowspan: %1, breakable: false, inset: 0pt)[]")
  if #tbl.caption.long == 0 then
    -- no caption: a plain table, not a numbered figure
    typst = typst:gsub("kind: table", 'kind: "plain", supplement: none, numbering: none')
  end
  if total > LINE_EM and has_text then
    local wide = column_spec(LANDSCAPE_LINE_EM)
    if glued then table.insert(wide, "0pt") end
    if table.concat(wide, ", ") ~= table.concat(spec, ", ") then
      WIDE[typst] = typst:gsub("columns: [^\n]*,\n", "columns: (" .. table.concat(wide, ", ") .. "),\n", 1)
    end
  end
  local out = raw(typst)
  if rows <= SMALL_TABLE_ROWS then
    return wrap({ out }, "#keep[", "]")
  end
  return out
end

-- a school's profile (一校一策): its heading, facts, verdict and first table are kept together, and
-- so are its last two tables; the rest may continue on the next page, so that profiles follow each
-- other with no half-empty page and no page holding one row of a school
local function units_of(blocks)
  -- the blocks in balanced groups: a #keep[ … ] (or any #fn[ … ]) is one unit
  local units, current, depth = {}, pandoc.List(), 0
  for _, block in ipairs(blocks) do
    current:insert(block)
    if block.t == "RawBlock" and block.format == "typst" then
      if block.text:sub(-1) == "[" then depth = depth + 1 elseif block.text == "]" then depth = depth - 1 end
    end
    if depth == 0 then
      table.insert(units, current)
      current = pandoc.List()
    end
  end
  if #current > 0 then table.insert(units, current) end
  return units
end

local function is_table(unit)
  for _, block in ipairs(unit) do
    if block.t == "RawBlock" and block.text:find("table%(") then return true end
  end
  return false
end

local function kept(units, from, to)
  local out = pandoc.List({ raw("#keep[") })
  for i = from, to do out:extend(units[i]) end
  out:insert(raw("]"))
  return out
end

local function profile(div)
  local units = units_of(div.content)
  local head = nil  -- the first table
  for i, unit in ipairs(units) do
    if is_table(unit) then head = i break end
  end
  local out = pandoc.List({ raw("#profile[") })
  if not head then
    for _, unit in ipairs(units) do out:extend(unit) end
  else
    out:extend(kept(units, 1, head))
    local tail = #units - head >= 2 and #units - 1 or #units + 1  -- the last two, when two are left
    for i = head + 1, math.min(tail - 1, #units) do out:extend(units[i]) end
    if tail <= #units then out:extend(kept(units, tail, #units)) end
  end
  out:insert(raw("]"))
  return out
end

local BLOCK_CLASSES = { cover = "cover", note = "note", lead = "lead", callout = "callout",
  ["draft-mark"] = "draft-mark", issued = "issued", signature = "signature", docnumber = "docnumber",
  contact = "contact-line" }

function Div(div)
  if has(div, "toc") then
    return raw("#contents()")
  end
  if has(div, "verdict") then
    return wrap(div.content, '#verdict("' .. (status_of(div) or "neutral") .. '")[', "]")
  end
  if has(div, "profile") then return profile(div) end
  for class, fn in pairs(BLOCK_CLASSES) do
    if has(div, class) then return wrap(div.content, "#" .. fn .. "[", "]") end
  end
  local blocks = div.content
  if has(div, "cell") then
    if has(div, "celltag_landscape") then
      blocks = blocks:map(function(b)
        if b.t == "RawBlock" and WIDE[b.text] then return raw(WIDE[b.text]) end
        return b
      end)
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

-- The 落款 (signature) never stands alone on a page: it is kept on one page with the paragraph
-- before it (and that paragraph's heading, which sticks to it).
local function opens(block)
  return block.t == "RawBlock" and block.format == "typst" and block.text:sub(-1) == "["
end
local function closes(block)
  return block.t == "RawBlock" and block.format == "typst" and block.text == "]"
end

function Pandoc(doc)
  local blocks = doc.blocks
  for i, block in ipairs(blocks) do
    if i > 1 and block.t == "RawBlock" and block.text == "#signature[" then
      local depth, last = 0, nil
      for k = i, #blocks do
        if opens(blocks[k]) then depth = depth + 1 elseif closes(blocks[k]) then depth = depth - 1 end
        if depth == 0 then last = k break end
      end
      if last then
        blocks:insert(last + 1, raw("]"))
        blocks:insert(i - 1, raw("#keep["))
      end
      break
    end
  end
  return doc
end
