-- pandoc Lua filter: the published notebook's HTML → a Word document in 公文 layout.
-- The HTML carries meaning in classes; here they become paragraph styles of the reference document
-- (custom-style), page breaks and a table-of-contents field. Styles live in the reference document.

local function has(el, class)
  for _, c in ipairs(el.classes or {}) do
    if c == class then return true end
  end
  return false
end

local function openxml(text) return pandoc.RawBlock("openxml", text) end

local PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
local TOC = '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>%s</w:t></w:r></w:p>'
  .. '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
  .. '<w:r><w:instrText xml:space="preserve"> TOC \\o "2-2" \\h \\z \\u </w:instrText></w:r>'
  .. '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>%s</w:t></w:r>'
  .. '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'

local lang = "zh"
function Meta(meta)
  if meta.lang and pandoc.utils.stringify(meta.lang):sub(1, 2) == "en" then lang = "en" end
end

-- a div's blocks in one paragraph style (Plain and Para only; tables and lists keep theirs)
local function styled(div, style)
  div.attributes["custom-style"] = style
  div.classes = {}
  return div
end

local STYLED = { docnumber = "Document Number", verdict = "Verdict", signature = "Signature",
  ["draft-mark"] = "Verdict", issued = "Cover", kicker = "Cover", note = "Note", contact = "Contact" }

function Div(div)
  if has(div, "toc") then
    local title = lang == "en" and "Contents" or "目录"
    local hint = lang == "en" and "Right-click and choose Update Field to build the contents."
      or "（在此处右键选择“更新域”生成目录）"
    return { openxml(string.format(TOC, title, hint)), openxml(PAGE_BREAK) }
  end
  if has(div, "cover") then
    local out = pandoc.List()
    for _, block in ipairs(div.content) do
      if block.t == "Header" then
        out:insert(pandoc.Div({ pandoc.Para(block.content) }, pandoc.Attr("", {}, { ["custom-style"] = "Title" })))
      elseif block.t == "Div" or block.t == "Table" then
        out:insert(block)
      else
        out:insert(pandoc.Div({ block }, pandoc.Attr("", {}, { ["custom-style"] = "Cover" })))
      end
    end
    out:insert(openxml(PAGE_BREAK))
    return out
  end
  for class, style in pairs(STYLED) do
    if has(div, class) then return styled(div, style) end
  end
  if has(div, "cell") and has(div, "celltag_new-page") then
    local out = pandoc.List({ openxml(PAGE_BREAK) })
    out:extend(div.content)
    return out
  end
  return nil
end

-- tables and charts come numbered from the HTML (表1　…, 图1　…: junheng.report.render.captions), as in
-- the PDF (pandoc's own numbering, native_numbering, is off). The number becomes a Word SEQ field
-- (SEQ 表 / SEQ 图) whose cached result is that same number, so Word renumbers after the county edits
-- and can build a list of tables or figures; the caption paragraphs keep pandoc's "Table Caption" and
-- "Image Caption" styles.
local function xml_text(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function run(text) return '<w:r><w:t xml:space="preserve">' .. xml_text(text) .. "</w:t></w:r>" end

local function seq_field(label, number)
  return '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    .. '<w:r><w:instrText xml:space="preserve"> SEQ ' .. label .. ' \\* ARABIC </w:instrText></w:r>'
    .. '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' .. run(number)
    .. '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
end

-- "表1　" → ("表", "1", "　"); "Figure 2. " → ("Figure", "2", ". "); anything else → nil
local function caption_number(text)
  for _, label in ipairs({ "表", "图", "Table", "Figure" }) do
    if text:sub(1, #label) == label then
      local gap, number, rest = text:sub(#label + 1):match("^(%s*)(%d+)(.*)$")
      if number then return label, gap, number, rest end
    end
  end
  return nil
end

-- the number of a caption (a span of class "number"): a SEQ field, its text kept for the alt text
local function numbered(span)
  local text = pandoc.utils.stringify(span)
  local label, gap, number, rest = caption_number(text)
  if not label then return nil end
  local xml = run(label .. gap) .. seq_field(label, number) .. run(rest)
  return pandoc.Span({ pandoc.RawInline("openxml", xml) }, pandoc.Attr("", { "seq" }, { text = text }))
end

-- a caption's plain text, the numbers as shown
local function caption_text(blocks)
  local inlines = pandoc.List()
  for _, b in ipairs(blocks) do
    if b.content then
      inlines:extend(pandoc.Inlines(b.content):walk({
        Span = function(s)
          if s.attributes.text then return pandoc.Str(s.attributes.text) end
        end,
      }))
    end
  end
  return pandoc.utils.stringify(inlines)
end

-- tables: numbers right-aligned (cells of class "num", as in the PDF; a column of numbers has its
-- header right-aligned too), a status that is not met ("未达标", class "fail") bold in the red
-- "Status Fail" character style. Rules and the bold header row: junheng.report.render.docx.
local function all_num(tbl, column)
  local any = false
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local cell = row.cells[column]
      if cell and #cell.contents > 0 then
        if not cell.attr.classes:includes("num") then return false end
        any = true
      end
    end
  end
  return any
end

local function marked(blocks)
  return blocks:map(function(b)
    if b.t == "Plain" or b.t == "Para" then
      b.content = { pandoc.Span({ pandoc.Strong(b.content) }, pandoc.Attr("", {}, { ["custom-style"] = "Status Fail" })) }
    end
    return b
  end)
end

function Table(tbl)
  for i, spec in ipairs(tbl.colspecs) do
    if all_num(tbl, i) then tbl.colspecs[i] = { pandoc.AlignRight, spec[2] } end
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      for _, cell in ipairs(row.cells) do
        if cell.attr.classes:includes("num") then cell.alignment = pandoc.AlignRight end
        if cell.attr.classes:includes("fail") then cell.contents = marked(cell.contents) end
      end
    end
  end
  return tbl
end

-- list items in the body face: pandoc writes a tight list's items in "Compact", the table style
local function loose(list)
  for i, item in ipairs(list.content) do
    list.content[i] = item:map(function(b) return b.t == "Plain" and pandoc.Para(b.content) or b end)
  end
  return list
end
BulletList = loose
OrderedList = loose

function Header(el)
  el.identifier = ""
  return el
end

function Link(el)
  if el.target:sub(1, 1) == "#" then return el.content end
  return el
end

-- status pills and other spans: their text only; a caption's number a SEQ field
function Span(el)
  if el.classes:includes("number") then
    local field = numbered(el)
    if field then return field end
  end
  return el.content
end

function Figure(fig)
  -- a chart: the image, centred; with its caption (图1　…) under it, in the Image Caption style
  if #fig.caption.long == 0 then
    local inlines = pandoc.List()
    for _, b in ipairs(fig.content) do
      if b.content then inlines:extend(b.content) end
    end
    return pandoc.Div({ pandoc.Para(inlines) }, pandoc.Attr("", {}, { ["custom-style"] = "Cover" }))
  end
  -- the chart's alt text (Word's descr) is its caption, number included
  local alt = caption_text(fig.caption.long)
  fig.content = fig.content:walk({
    Image = function(img)
      img.caption = { pandoc.Str(alt) }
      return img
    end,
  })
  return fig
end

function Image(img)
  img.attributes.width = img.attributes.width or "100%"
  img.attributes.height = nil
  return img
end

function RawBlock(el)
  if el.format == "html" then return {} end
  return el
end

function RawInline(el)
  if el.format == "html" then return {} end
  return el
end

-- the language first (Meta is otherwise read after the blocks), then the document
return {
  { Meta = Meta },
  { BulletList = BulletList, OrderedList = OrderedList, Div = Div, Header = Header, Link = Link,
    Span = Span, Table = Table, Figure = Figure, Image = Image, RawBlock = RawBlock, RawInline = RawInline },
}
