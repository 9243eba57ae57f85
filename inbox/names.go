package inbox

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes is the longest sanitized file name, extension included.
const maxNameRunes = 100

// sanitizeName turns a file name as sent into a safe single path element:
// no directory parts (/, \, drive letters), no control or format
// characters, no leading dots, at most maxNameRunes characters with the
// extension kept. Chinese and other letters are kept. It never returns "".
func sanitizeName(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	// Keep only the last path element, whichever separator the sender used.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) >= 2 && name[1] == ':' { // C:name
		name = name[2:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == 0x2028, r == 0x2029:
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimSpace(b.String())
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	for strings.Contains(name, "  ") {
		name = strings.ReplaceAll(name, "  ", " ")
	}
	if name == "" {
		name = "attachment"
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 16 || ext == name {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		stem = stem[:maxNameRunes-utf8.RuneCountInString(ext)]
		name = strings.TrimRight(string(stem), ". ") + ext
	}
	return name
}

// extOf returns the lower-case extension of name without the dot.
func extOf(name string) string {
	return strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
}

// keptTypes are the evidence types kept (DESIGN.md, "Evidence").
var keptTypes = map[string]bool{
	"jpg": true, "jpeg": true, "png": true, "gif": true, "webp": true, "heic": true,
	"pdf": true, "ofd": true, "doc": true, "docx": true, "xls": true, "xlsx": true,
	"wps": true, "et": true, "ppt": true, "pptx": true,
}

var imageTypes = map[string]bool{"jpg": true, "jpeg": true, "png": true, "gif": true, "webp": true, "heic": true}

// documentTypes can hold a half-year report or an annual summary.
var documentTypes = map[string]bool{"pdf": true, "ofd": true, "doc": true, "docx": true, "wps": true}

// extForMedia names a part that came without a file name.
func extForMedia(mt string) string {
	switch mt {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/heic":
		return ".heic"
	case "application/pdf":
		return ".pdf"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return ".xlsx"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx"
	case "application/msword":
		return ".doc"
	case "application/vnd.ms-excel":
		return ".xls"
	case "message/rfc822":
		return ".eml"
	case "text/calendar":
		return ".ics"
	}
	return ".bin"
}
