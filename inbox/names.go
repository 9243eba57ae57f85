package inbox

import (
	"path"
	"strings"

	submit "kjjr/submission"
)

// sanitizeName turns a file name as sent into a safe single path element
// under the one name policy of package submission (submission.CleanFileName:
// at most 200 UTF-8 bytes, no directory parts, control, format or bidi
// characters, nothing Windows or git refuses). Chinese and other letters
// are kept. It never returns "". Evidence files are then named with
// submission.EvidenceName, which keeps the hash prefix within the limit.
func sanitizeName(name string) string { return submit.CleanFileName(name) }

// extOf returns the lower-case extension of name without the dot.
func extOf(name string) string {
	return strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
}

// keptTypes are the evidence types kept: images and office documents.
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
