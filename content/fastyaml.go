package content

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The front matter of most records, and of every report the inbox writes,
// is the plain block-style YAML that EncodeRecord produces. yaml.v3 (a
// port of libyaml) spends most of Load's time tokenising it and building
// nodes, so decodeFast decodes that subset straight into the record, and
// only when everything is as expected: known fields, no duplicates, values
// of the plain kinds (strings, decimal integers, true/false, the
// Date/Period/Wan scalars through their own UnmarshalYAML). Anything else
// (comments, flow collections other than [] and {}, anchors, tags, block
// scalars, single quotes, escapes, multi-line scalars, tabs, any type error
// or unknown field) makes it give up and reset the record, and the
// document goes through yaml.v3, which reports problems in its own words.
// FuzzDecodeRecord checks that both paths decode alike.

type fastLine struct {
	num    int    // 1-based line number in the YAML source
	indent int    // leading spaces
	text   []byte // the rest, without trailing spaces
}

type fastDecoder struct {
	lines []fastLine
	i     int
	fail  bool
}

// decodeFast decodes src into v (a pointer to a record) when src is in the
// subset; it reports false, with *v reset to its zero value, otherwise.
func decodeFast(src []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	out := rv.Elem()
	p := &fastDecoder{}
	if !p.split(src) {
		return false
	}
	p.mapping(0, out)
	if p.fail || p.i != len(p.lines) {
		out.Set(reflect.Zero(out.Type()))
		return false
	}
	return true
}

// split cuts src into non-blank lines; false when src is outside the subset.
func (p *fastDecoder) split(src []byte) bool {
	if !printable(src) {
		return false // yaml.v3 rejects control characters: let it say so
	}
	p.lines = make([]fastLine, 0, bytes.Count(src, []byte("\n"))+1)
	num := 0
	for len(src) > 0 {
		num++
		var l []byte
		if k := bytes.IndexByte(src, '\n'); k >= 0 {
			l, src = src[:k], src[k+1:]
		} else {
			l, src = src, nil
		}
		t := bytes.TrimLeft(l, " ")
		ind := len(l) - len(t)
		t = bytes.TrimRight(t, " ")
		if len(t) == 0 {
			continue
		}
		if t[0] == '#' || bytes.HasPrefix(t, []byte("---")) || bytes.HasPrefix(t, []byte("...")) {
			return false
		}
		p.lines = append(p.lines, fastLine{num: num, indent: ind, text: t})
	}
	return len(p.lines) > 0 && p.lines[0].indent == 0 && !isSeqItem(p.lines[0].text)
}

// printable reports whether src holds only characters YAML allows
// (YAML 1.2 c-printable, plus line feeds; no tabs or carriage returns).
func printable(src []byte) bool {
	for i := 0; i < len(src); i++ {
		if c := src[i]; c < 0x80 {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			continue
		}
		for _, r := range string(src[i:]) {
			switch {
			case r == '\n' || r >= 0x20 && r < 0x7f || r == 0x85:
			case r < 0xa0, r >= 0xd800 && r < 0xe000, r == 0xfffe, r == 0xffff, r == utf8.RuneError:
				return false
			}
		}
		return true
	}
	return true
}

func isSeqItem(t []byte) bool { return t[0] == '-' && (len(t) == 1 || t[1] == ' ') }

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// splitKey splits "key: value" or "key:"; ok is false for anything else.
func splitKey(t []byte) (key, rest []byte, ok bool) {
	k := 0
	for k < len(t) && isKeyByte(t[k]) {
		k++
	}
	if k == 0 || k >= len(t) || t[k] != ':' {
		return nil, nil, false
	}
	if k+1 == len(t) {
		return t[:k], nil, true
	}
	if t[k+1] != ' ' {
		return nil, nil, false
	}
	return t[:k], bytes.TrimLeft(t[k+2:], " "), true
}

// mapping decodes the mapping whose keys sit at indent into the struct out.
func (p *fastDecoder) mapping(indent int, out reflect.Value) {
	fields := fastFields(out.Type())
	var seen [32]string
	nseen := 0
	for !p.fail && p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent || l.indent == indent && isSeqItem(l.text) {
			return
		}
		key, rest, ok := splitKey(l.text)
		if l.indent > indent || !ok || fields == nil {
			p.fail = true // a continuation line, or not "key: value"
			return
		}
		f, ok := fields[string(key)]
		if !ok || nseen == len(seen) {
			p.fail = true // unknown field (or keys that could be 1, true, <<)
			return
		}
		for _, s := range seen[:nseen] {
			if s == f.name {
				p.fail = true // duplicate key
				return
			}
		}
		seen[nseen] = f.name
		nseen++
		p.i++
		fv := out.FieldByIndex(f.index)
		if rest == nil {
			p.block(indent, l.num, fv, true)
		} else {
			p.scalar(rest, l.num, fv)
		}
	}
}

// block decodes the value of "key:" (or of "-" alone) at indent: a nested
// block on the following lines, or null. A sequence may sit at the indent
// of its key ("key:\n- item") but not at that of an empty item.
func (p *fastDecoder) block(indent, line int, out reflect.Value, key bool) {
	if p.i < len(p.lines) {
		n := p.lines[p.i]
		switch {
		case n.indent > indent && isSeqItem(n.text), n.indent == indent && isSeqItem(n.text) && key:
			p.sequence(n.indent, p.target(out, reflect.Slice))
			return
		case n.indent > indent:
			p.mapping(n.indent, p.target(out, reflect.Struct))
			return
		}
	}
	// null: yaml.v3 leaves the zero value (nil for pointers and slices).
}

// target prepares out to receive a collection of kind k: allocates
// pointers, refuses types that want a scalar.
func (p *fastDecoder) target(out reflect.Value, k reflect.Kind) reflect.Value {
	for out.Kind() == reflect.Pointer {
		if out.IsNil() {
			out.Set(reflect.New(out.Type().Elem()))
		}
		out = out.Elem()
	}
	if out.Kind() != k || out.CanAddr() && out.Addr().Type().Implements(unmarshalerType) {
		p.fail = true
		return reflect.New(reflect.TypeOf(struct{}{})).Elem()
	}
	return out
}

// sequence decodes the items "- …" at indent into the slice out.
func (p *fastDecoder) sequence(indent int, out reflect.Value) {
	if p.fail {
		return
	}
	items := reflect.MakeSlice(out.Type(), 0, 4)
	for !p.fail && p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent || l.indent == indent && !isSeqItem(l.text) {
			break
		}
		if l.indent > indent {
			p.fail = true
			break
		}
		items = reflect.Append(items, reflect.Zero(out.Type().Elem()))
		elem := items.Index(items.Len() - 1)
		item := bytes.TrimLeft(l.text[1:], " ")
		col := indent + len(l.text) - len(item)
		switch {
		case len(item) == 0:
			p.i++
			p.block(indent, l.num, elem, false)
		case isSeqItem(item):
			p.fail = true // "- - x"
		default:
			if _, _, ok := splitKey(item); ok {
				// "- key: value": a mapping whose keys sit at the item's column.
				p.lines[p.i] = fastLine{num: l.num, indent: col, text: item}
				p.mapping(col, p.target(elem, reflect.Struct))
			} else {
				p.i++
				p.scalar(item, l.num, elem)
			}
		}
	}
	out.Set(items)
}

// scalar decodes an inline value into out: a plain or simple
// double-quoted scalar, or the empty flow collections [] and {}.
func (p *fastDecoder) scalar(t []byte, line int, out reflect.Value) {
	if p.i < len(p.lines) && p.lines[p.i].indent > p.lines[p.i-1].indent && !isSeqItem(p.lines[p.i].text) {
		p.fail = true // a multi-line plain scalar
		return
	}
	switch {
	case string(t) == "[]":
		out = p.target(out, reflect.Slice)
		if !p.fail {
			out.Set(reflect.MakeSlice(out.Type(), 0, 0))
		}
		return
	case string(t) == "{}":
		p.target(out, reflect.Struct)
		return
	}
	var value string
	quoted := false
	switch {
	case t[0] == '"':
		in := t[1:]
		if len(in) == 0 || in[len(in)-1] != '"' || bytes.ContainsAny(in[:len(in)-1], "\"\\") {
			p.fail = true
			return
		}
		value, quoted = string(in[:len(in)-1]), true
	case strings.IndexByte("[]{}#&*!|>'%@`,?:-", t[0]) >= 0 && !(t[0] == '-' && len(t) > 1 && t[1] >= '0' && t[1] <= '9'),
		bytes.Contains(t, []byte(": ")) || bytes.Contains(t, []byte(" #")) || t[len(t)-1] == ':':
		p.fail = true
		return
	default:
		if isNullWord(t) {
			return // as yaml.v3: the zero value stays
		}
		value = string(t)
	}
	if out.Kind() != reflect.Pointer && out.CanAddr() {
		if u, ok := out.Addr().Interface().(yaml.Unmarshaler); ok {
			// Plain scalars carry no tag here (yaml.v3's parser resolves
			// one; Node.ShortTag gives the same): our unmarshalers only
			// look at the value, and null never reaches them.
			n := &yaml.Node{Kind: yaml.ScalarNode, Value: value, Line: line}
			if quoted {
				n.Tag, n.Style = "!!str", yaml.DoubleQuotedStyle
			}
			if u.UnmarshalYAML(n) != nil {
				p.fail = true
			}
			return
		}
	}
	switch out.Kind() {
	case reflect.String:
		if !quoted && plainTag(value) != "!!str" {
			p.fail = true
			return
		}
		out.SetString(value)
	case reflect.Int, reflect.Int64:
		n, ok := decimal(value)
		if quoted || !ok {
			p.fail = true
			return
		}
		out.SetInt(n)
	case reflect.Bool:
		switch {
		case quoted:
			p.fail = true
		case value == "true" || value == "True" || value == "TRUE":
			out.SetBool(true)
		case value == "false" || value == "False" || value == "FALSE":
			out.SetBool(false)
		default:
			p.fail = true
		}
	case reflect.Pointer:
		if out.IsNil() {
			out.Set(reflect.New(out.Type().Elem()))
		}
		p.scalar(t, line, out.Elem())
	default:
		p.fail = true
	}
}

// isNullWord reports whether a plain scalar is YAML's null.
func isNullWord(t []byte) bool {
	switch string(t) {
	case "~", "null", "Null", "NULL":
		return true
	}
	return false
}

// decimal parses a plain decimal integer as yaml.v3 would read it, for the
// unambiguous forms only (no leading zeros, signs other than -, or _).
func decimal(s string) (int64, bool) {
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || len(s) > 18 || s[0] == '0' && len(s) > 1 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// plainTag is the tag yaml.v3 resolves a plain scalar to. yaml.v3 looks
// at the first character: only "+-.0123456789yYnNtTfFoO~<" can start
// anything but a string. A scalar that starts with a digit, sign or dot
// but holds a character no number or timestamp can hold (a letter other
// than those of hex, exponents, 0x/0o/0b, inf/nan and timestamps, a
// non-ASCII character, '@', '/', …) is a string too, without asking.
func plainTag(v string) string {
	if v == "" {
		return "!!null"
	}
	c := v[0]
	if strings.IndexByte("+-.0123456789yYnNtTfFoO~<", c) < 0 {
		return "!!str"
	}
	if c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9' {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c >= 0x80 || !(c >= '0' && c <= '9' || strings.IndexByte("+-._: eExXoObBaAcCdDfFtTzZiInN", c) >= 0) {
				return "!!str"
			}
		}
	}
	n := yaml.Node{Kind: yaml.ScalarNode, Value: v}
	return n.ShortTag()
}

type fastField struct {
	name  string
	index []int
}

var (
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	fieldCache      sync.Map // reflect.Type -> map[string]fastField
)

// fastFields maps the YAML keys of struct type t to its fields, following
// yaml.v3's rules (tag name, else the lower-cased field name; "-" skipped;
// ",inline" structs merged). It returns nil for types the fast path leaves
// to yaml.v3 (inline maps, unexported embedded structs).
func fastFields(t reflect.Type) map[string]fastField {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]fastField)
	}
	m := map[string]fastField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			if f.Type.Kind() != reflect.Struct {
				return nil
			}
			for k, v := range fastFields(f.Type) {
				m[k] = fastField{name: v.name, index: append([]int{i}, v.index...)}
			}
			continue
		}
		if f.PkgPath != "" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = fastField{name: name, index: []int{i}}
	}
	fieldCache.Store(t, m)
	return m
}
