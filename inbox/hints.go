package inbox

import (
	"bytes"
	"fmt"
	"strings"
)

// missingHint explains why a message that should carry a report carries
// none the inbox can read, when the reason is one Chinese mail users meet
// often: the file sent inside a compressed archive, Outlook's winmail.dat
// (TNEF), or a 超大附件/云附件 download link in place of an attachment.
// It returns "" when none applies; the caller then gives its general
// answer.
func missingHint(p *parsed) string {
	var archives []string
	tnef := false
	for _, pt := range p.Parts {
		switch {
		case isArchive(pt):
			archives = append(archives, "“"+pt.Name+"”")
		case pt.MediaType == "application/ms-tnef" || pt.MediaType == "application/vnd.ms-tnef" || strings.EqualFold(pt.Name, "winmail.dat"):
			tnef = true
		}
	}
	switch {
	case len(archives) > 0:
		return fmt.Sprintf("附件%s是压缩包，系统不解压压缩包：请把月报表（.xlsx）或报告文件直接作为附件添加到邮件中发送，不要压缩", strings.Join(archives, "、"))
	case tnef:
		return "邮件以 Outlook 的 RTF 格式发送，附件被打包成了 winmail.dat，无法读取：请在 Outlook 中将邮件格式改为 HTML 或纯文本（文件 → 选项 → 邮件 → 撰写邮件），再把文件作为附件重新发送"
	case largeAttachmentLink(p.Text):
		return "邮件中只有“超大附件”（云附件）的下载链接，系统不会从链接下载文件（链接也会过期）：请把月报表（.xlsx）或报告文件作为普通附件添加到邮件中重新发送；月报表只有几十 KB，不需要用超大附件"
	}
	return ""
}

// isArchive reports whether a part is a zip, rar or 7z archive (by name,
// or by content for a zip that is no Office file).
func isArchive(pt *part) bool {
	switch extOf(pt.Name) {
	case "zip", "rar", "7z":
		return true
	case "xlsx", "docx", "pptx", "ofd", "et", "wps", "xls", "doc", "ppt":
		return false
	}
	return bytes.HasPrefix(pt.Data, []byte("Rar!")) || bytes.HasPrefix(pt.Data, []byte("7z\xbc\xaf")) ||
		pt.MediaType == "application/zip" || pt.MediaType == "application/x-zip-compressed" ||
		pt.MediaType == "application/x-rar-compressed" || pt.MediaType == "application/x-7z-compressed"
}

// largeAttachmentLink reports whether the mail text carries a
// large-attachment download link of QQ Mail (超大附件, ftn download),
// NetEase 163/126 (云附件, large-attachment-download) or another Chinese
// mail service.
func largeAttachmentLink(text string) bool {
	for _, k := range []string{"超大附件", "云附件", "ftnExs_download", "/ftn/download", "large-attachment-download"} {
		if strings.Contains(text, k) {
			return true
		}
	}
	return false
}
