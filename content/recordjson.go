package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// EncodeRecordJSON writes v as EncodeRecord writes its front matter, but
// as indented JSON: the same keys in the same order, numbers and booleans
// as JSON numbers and booleans, and a final newline (kjjr sheet --json).
func EncodeRecordJSON(v any) ([]byte, error) {
	record, err := EncodeRecord(v, "")
	if err != nil {
		return nil, err
	}
	front, _, _, err := SplitFrontMatter(record)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(front, &doc); err != nil {
		return nil, fmt.Errorf("content: re-read front matter: %w", err)
	}
	var b bytes.Buffer
	if len(doc.Content) > 0 {
		if err := writeJSON(&b, doc.Content[0]); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("content: indent json: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// writeJSON writes the YAML node n as JSON.
func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
				b.WriteString(n.Value)
				return nil
			}
		case "!!bool":
			if v, err := strconv.ParseBool(n.Value); err == nil {
				b.WriteString(strconv.FormatBool(v))
				return nil
			}
		case "!!null":
			b.WriteString("null")
			return nil
		}
		s, _ := json.Marshal(n.Value)
		b.Write(s)
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	default:
		return fmt.Errorf("content: unexpected YAML node kind %d", n.Kind)
	}
	return nil
}
