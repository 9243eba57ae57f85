package inbox

import "kjjr/sheet"

// officeTypes are the kept types that Excel, WPS or Word open and that may
// carry active content (macros, DDE, external links, OLE objects).
var officeTypes = map[string]bool{
	"xls": true, "xlsx": true, "xlsm": true, "et": true,
	"doc": true, "docx": true, "docm": true, "wps": true,
	"ppt": true, "pptx": true, "pptm": true,
}

// activeWarning returns the warning about a kept attachment's active
// content (sheet.ActiveWarning), or "". It goes into the report's warnings
// (kjjr review) and the receipt: staff will open the file, and the
// institution should know what was found.
func activeWarning(pt *part) string {
	if pt.Data == nil || !(officeTypes[extOf(pt.Name)] || isZip(pt.Data)) {
		return ""
	}
	return sheet.ActiveWarning(pt.Name, sheet.ActiveContent(pt.Data))
}
