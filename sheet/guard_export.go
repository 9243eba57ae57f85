package sheet

// Guard checks data as Parse does before any spreadsheet library reads it
// (see the package doc: legacy and encrypted files, non-spreadsheets, zip
// bombs, too many entries, merged ranges or shared strings), so that
// another reader of returned workbooks (the expert scoring workbook of
// package selection) opens with excelize only what Parse would open. It
// returns nil or a *FormatError whose Message is for the sender, in
// Chinese.
func Guard(data []byte) error {
	if e := guard(data); e != nil {
		return e
	}
	return nil
}
