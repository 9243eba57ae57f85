package content

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxRecordSize is the largest Markdown or YAML record Load reads (1 MiB).
// Larger files are refused rather than parsed: records are small, and a
// huge one is a mistake or an attack.
const MaxRecordSize = 1 << 20

// SplitFrontMatter separates a record into its YAML front matter and its
// Markdown body. The record must start with a line "---" and the front
// matter ends at the next line "---" (or "..."). bodyLine is the 1-based
// line on which the body starts. A UTF-8 BOM and CRLF line ends are
// accepted. The error is Simplified Chinese.
func SplitFrontMatter(data []byte) (front, body []byte, bodyLine int, err error) {
	if _, err := checkText(data); err != nil {
		return nil, nil, 0, err
	}
	data = normalizeText(data)
	if bytes.Equal(bytes.TrimRight(data, " \t"), []byte("---")) {
		return nil, nil, 0, errors.New("YAML 文件头没有结束：请在字段之后加一行 ---")
	}
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return nil, nil, 0, errors.New("缺少 YAML 文件头：文件第一行应为 ---，其后是字段，再以 --- 结束")
	}
	rest := data[4:]
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		if s := string(bytes.TrimRight(l, " \t")); s == "---" || s == "..." {
			front = rest[:off]
			if end < 0 {
				return front, nil, line + 1, nil
			}
			return front, rest[off+end+1:], line + 1, nil
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, nil, 0, errors.New("YAML 文件头没有结束：请在字段之后加一行 ---")
}

// checkText refuses what cannot be a text record: empty, too large, NUL
// bytes (binary), invalid UTF-8. line is where the problem is (1 when it
// is about the whole file).
func checkText(data []byte) (line int, err error) {
	switch {
	case len(data) == 0:
		return 1, errors.New("文件为空（0 字节）")
	case len(data) > MaxRecordSize:
		return 1, fmt.Errorf("文件过大（%d 字节，上限 %d 字节），记录文件不应这么大", len(data), MaxRecordSize)
	case bytes.IndexByte(data, 0) >= 0:
		return 1, errors.New("这是二进制文件，不是 Markdown/YAML 文本")
	case !utf8.Valid(data):
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		return line, fmt.Errorf("第%d行不是 UTF-8 编码：请用 UTF-8 另存该文件（例如在编辑器中选择“UTF-8 编码”）", line)
	}
	return 1, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func normalizeText(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	return data
}

// DecodeRecord decodes a Markdown record with YAML front matter into v (a
// pointer to a record struct that embeds Meta) strictly: an unknown field,
// a wrong type or malformed YAML is a Diagnostic naming file, line and
// field. All problems of the file are returned, not only the first.
func DecodeRecord(file string, data []byte, v any) Diagnostics {
	if line, err := checkText(data); err != nil {
		return Diagnostics{{File: file, Line: line, Message: err.Error()}}
	}
	front, body, bodyLine, err := SplitFrontMatter(data)
	if err != nil {
		return Diagnostics{{File: file, Line: 1, Message: err.Error()}}
	}
	ds := decodeYAML(file, front, 1, v)
	if m := metaOf(v); m != nil {
		m.File = file
		m.Body = string(body)
		m.BodyLine = bodyLine
	}
	return ds
}

// DecodeYAMLFile decodes a whole-file YAML document (site.yaml, calendar)
// strictly into v, with the same diagnostics as DecodeRecord.
func DecodeYAMLFile(file string, data []byte, v any) Diagnostics {
	if line, err := checkText(data); err != nil {
		return Diagnostics{{File: file, Line: line, Message: err.Error()}}
	}
	return decodeYAML(file, normalizeText(data), 0, v)
}

type metaHolder interface{ meta() *Meta }

func (m *Meta) meta() *Meta { return m }

func metaOf(v any) *Meta {
	if h, ok := v.(metaHolder); ok {
		return h.meta()
	}
	return nil
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// decodeYAML decodes src strictly; lineOffset is added to YAML line
// numbers to give file line numbers.
func decodeYAML(file string, src []byte, lineOffset int, v any) Diagnostics {
	return decodeYAMLPath(file, src, lineOffset, v, true)
}

// decodeYAMLPath is decodeYAML, taking the fast path (decodeFast) only
// when fast is set; the result must be the same either way (the tests
// compare both).
func decodeYAMLPath(file string, src []byte, lineOffset int, v any, fast bool) Diagnostics {
	if len(bytes.TrimSpace(src)) == 0 {
		return Diagnostics{{File: file, Line: 1 + lineOffset, Message: "文件头中没有任何字段"}}
	}
	if fast && decodeFast(src, v) {
		return nil
	}
	msgs, typed := decodeSlow(src, v)
	if len(msgs) == 0 {
		return nil
	}
	var root *yaml.Node
	var ds Diagnostics
	for _, m := range msgs {
		d := Diagnostic{File: file, Line: 1 + lineOffset}
		text := m
		if sm := yamlLineRE.FindStringSubmatch(m); sm != nil {
			n, _ := strconv.Atoi(sm[1])
			text = sm[2]
			if !typed && isParserError(text) {
				n++ // yaml.v3 gives parser errors a 0-based line
			}
			d.Line = n + lineOffset
			if typed {
				if root == nil {
					root = new(yaml.Node)
					_ = yaml.Unmarshal(src, root)
				}
				d.Field = keyAtLine(root, n)
			}
		}
		if m := reAlready.FindStringSubmatch(text); m != nil {
			prev, _ := strconv.Atoi(m[2])
			text = fmt.Sprintf("mapping key \"%s\" already defined at line %d", m[1], prev+lineOffset)
		}
		d.Message = translateYAMLError(text)
		if d.Field != "" {
			// "websit：未知字段 \"websit\"" says the name twice.
			last := d.Field[strings.LastIndexAny(d.Field, ".]")+1:]
			d.Message = strings.Replace(d.Message, fmt.Sprintf("未知字段 %q", last), "未知字段", 1)
		}
		ds = append(ds, d)
	}
	return ds
}

// decodeSlow decodes src with yaml.v3's own parser, strictly. typed is
// true when msgs are type errors ("line N: …"), false for a syntax error.
func decodeSlow(src []byte, v any) (msgs []string, typed bool) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil {
		return nil, false
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return te.Errors, true
	}
	return []string{err.Error()}, false
}

var (
	reNotFound  = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	reUnmarshal = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (\\S+)$")
	reAlready   = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// isParserError tells yaml.v3's parser errors (reported with a 0-based
// line) from its scanner errors (1-based).
func isParserError(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found duplicate %YAML") ||
		strings.HasPrefix(msg, "found incompatible YAML") || strings.HasPrefix(msg, "found undefined tag handle")
}

// yamlSyntaxZH explains yaml.v3's most frequent syntax errors to staff.
var yamlSyntaxZH = [][2]string{
	{"did not find expected ',' or ']'", "方括号列表 [ … ] 没有闭合，或其中缺少逗号"},
	{"did not find expected ',' or '}'", "花括号 { … } 没有闭合，或其中缺少逗号"},
	{"mapping values are not allowed in this context", "此处不能出现“键: 值”：检查缩进，或给含冒号的文字加引号"},
	{"did not find expected key", "缩进不一致：同一层的字段应对齐"},
	{"did not find expected '-' indicator", "列表项缩进不一致：每项应以对齐的 - 开头"},
	{"could not find expected ':'", "缺少冒号：字段应写作 名称: 值"},
	{"found character that cannot start any token", "含有不能出现在此处的字符（制表符 Tab 请改为空格）"},
	{"found unexpected end of stream", "引号没有成对"},
	{"found unknown escape character", "双引号内的反斜杠 \\ 用法有误"},
	{"control characters are not allowed", "含有控制字符，请删除"},
}

// translateYAMLError turns yaml.v3's English messages into Simplified
// Chinese for staff. Messages already in Chinese (from our own
// unmarshalers) pass through.
func translateYAMLError(msg string) string {
	if m := reNotFound.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("未知字段 %q（拼写错误？请对照文档中的字段名）", m[1])
	}
	if m := reUnmarshal.FindStringSubmatch(msg); m != nil {
		want := map[string]string{"int": "整数", "bool": "是否值（true 或 false）", "string": "文本",
			"float64": "数字"}[m[3]]
		if strings.HasPrefix(m[3], "[]") {
			want = "列表（每项一行，以 - 开头）"
		} else if strings.Contains(m[3], ".") || strings.HasPrefix(m[3], "map") {
			want = "若干子字段（缩进的 键: 值）"
		}
		if want == "" {
			want = m[3]
		}
		if m[2] != "" {
			return fmt.Sprintf("类型错误：值 %q 不是%s", m[2], want)
		}
		return fmt.Sprintf("类型错误：应为%s", want)
	}
	if m := reAlready.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("字段 %q 重复（第 %s 行已定义）", m[1], m[2])
	}
	for _, t := range yamlSyntaxZH {
		if strings.Contains(msg, t[0]) {
			return "YAML 格式错误：" + t[1]
		}
	}
	if strings.Contains(msg, "excessive aliasing") {
		return "YAML 别名展开过多，已拒绝（可能是恶意文件）"
	}
	for _, r := range msg {
		if r >= 0x4e00 && r <= 0x9fff {
			return msg
		}
	}
	return "YAML 格式错误：" + msg + "（检查缩进、冒号后的空格和引号是否成对）"
}

// keyAtLine returns the dotted path of the mapping key or sequence item
// that sits on line (1-based, relative to the YAML), or "".
func keyAtLine(root *yaml.Node, line int) string {
	var best string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, val := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if k.Line == line || val.Line == line {
					best = p
				}
				walk(val, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				if c.Line == line && c.Kind == yaml.ScalarNode {
					best = p
				}
				walk(c, p)
			}
		}
	}
	walk(root, "")
	return best
}

// FieldLine returns the file line of a front-matter field given as a
// dotted path (credit.blacklisted, grades[2].grade), or 0 when absent.
// isRecord is true for Markdown records (front matter starts on line 2).
func FieldLine(data []byte, isRecord bool, path string) int {
	src := normalizeText(data)
	off := 0
	if isRecord {
		front, _, _, err := SplitFrontMatter(data)
		if err != nil {
			return 0
		}
		src, off = front, 1
	}
	var root yaml.Node
	if yaml.Unmarshal(src, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	n := root.Content[0]
	line := n.Line
	for _, part := range splitPath(path) {
		found := false
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					line = n.Content[i].Line
					n = n.Content[i+1]
					found = true
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(n.Content) {
				n = n.Content[i]
				line = n.Line
				found = true
			}
		}
		if !found {
			return line + off
		}
	}
	return line + off
}

func splitPath(p string) []string {
	p = strings.NewReplacer("[", ".", "]", "").Replace(p)
	var out []string
	for _, s := range strings.Split(p, ".") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// EncodeRecord writes v as a Markdown record: "---", the YAML front
// matter, "---", then body. It is the inverse of DecodeRecord.
func EncodeRecord(v any, body string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("content: encode front matter: %v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("content: encode front matter: %v", err)
	}
	b.WriteString("---\n")
	if body != "" {
		b.WriteString(body)
		if !strings.HasSuffix(body, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

// typeErr reports a field's bad value so that yaml.v3 records it and goes
// on decoding the rest of the document (a plain error would stop it).
func typeErr(line int, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)}}
}
