package govcheck

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
	"rsc.io/pdf"
)

// documentText returns the readable text of a PDF, DOCX or XLSX
// attachment. A file the libraries cannot read (scanned images, an
// encrypted PDF, a damaged zip) is an error; a panic in a reader is one too.
func documentText(name string, data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("文件已损坏或格式不受支持")
		}
	}()
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return pdfText(data)
	case ".docx":
		return docxText(data)
	case ".xlsx":
		return xlsxText(data)
	}
	return "", errors.New("不支持的文件类型")
}

func pdfText(data []byte) (string, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("PDF 无法解析：%v", err)
	}
	var b strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		for _, t := range p.Content().Text {
			b.WriteString(t.S)
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// docxText reads the text runs of word/document.xml (and headers and
// footers, where phone numbers hide).
func docxText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("DOCX 无法解析：%v", err)
	}
	var b strings.Builder
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "word/") || path.Ext(f.Name) != ".xml" {
			continue
		}
		if f.UncompressedSize64 > 64<<20 {
			return "", errors.New("DOCX 中的文件过大")
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		dec := xml.NewDecoder(io.LimitReader(rc, 64<<20))
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch t := tok.(type) {
			case xml.CharData:
				b.Write(t)
			case xml.EndElement:
				if t.Name.Local == "p" {
					b.WriteByte('\n')
				}
			}
		}
		rc.Close()
	}
	return b.String(), nil
}

func xlsxText(data []byte) (string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("XLSX 无法解析：%v", err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			continue
		}
		for _, row := range rows {
			b.WriteString(strings.Join(row, " "))
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}
