package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kjjr/content"
)

// rezip copies an .xlsx, handing each entry to edit: edit returns the
// entries to write instead (nil: copy unchanged).
func rezip(t testing.TB, data []byte, edit func(zw *zip.Writer, f *zip.File) bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	// Fast compression: building a big test sheet stays cheap.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, f := range zr.File {
		if edit(zw, f) {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombEntry writes name as a raw deflate stream that inflates to size
// bytes of worksheet rows, built from one compressed 1 MiB segment
// repeated (sync-flushed deflate segments concatenate), so building a
// multi-GiB bomb costs little. declared is the uncompressed size written
// in the zip headers (the true size for an honest bomb, less for a lying
// one).
func bombEntry(t testing.TB, zw *zip.Writer, name string, size, declared uint64) {
	t.Helper()
	const seg = 1 << 20
	row := []byte(`<row><c t="inlineStr"><is><t>AAAAAAAA</t></is></c></row>`)
	plain := bytes.Repeat(row, seg/len(row)+1)[:seg]
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(plain)
	fw.Flush()
	n := size / seg
	crc := uint32(0)
	for i := uint64(0); i < n; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, plain)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   n*uint64(comp.Len()) + 5,
		UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(0); i < n; i++ {
		w.Write(comp.Bytes())
	}
	w.Write([]byte{1, 0, 0, 0xff, 0xff}) // final empty stored block
}

// allocDuring returns the bytes allocated while fn ran (TotalAlloc delta:
// every allocation counts, freed or not, so it bounds the peak heap
// growth from above).
func allocDuring(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const memLimit = 100 << 20

// peakHeapDuring returns the largest growth of live heap objects over the
// level before fn, sampled every half millisecond while fn runs (with
// runtime/metrics, which does not stop the world). Garbage not yet
// collected counts, so it errs on the high side.
func peakHeapDuring(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			if v := read(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	if v := read(); v > base && v-base > peak.Load() {
		peak.Store(v - base)
	}
	return peak.Load()
}

// TestZipBomb: a worksheet that inflates to 2 GiB is refused from the zip
// directory, before anything inflates, within bounded memory; one whose
// directory lies about its size is cut off by archive/zip at the declared
// size.
func TestZipBomb(t *testing.T) {
	good := readFixture(t, "good.xlsx")
	for _, tc := range []struct {
		name     string
		declared uint64
		want     string
	}{
		{"honest", 2 << 30, "文件解压后过大"},
		// Under the size limits, but compressed like a bomb.
		{"ratio", 40 << 20, "文件压缩比异常"},
		{"lying", 8 << 10, "文件已损坏"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := rezip(t, good, func(zw *zip.Writer, f *zip.File) bool {
				if f.Name != "xl/worksheets/sheet1.xml" {
					return false
				}
				size := uint64(2 << 30)
				if tc.declared < size && tc.name == "ratio" {
					size = tc.declared
				}
				bombEntry(t, zw, f.Name, size, tc.declared)
				return true
			})
			t.Logf("bomb: %d bytes compressed", len(bomb))
			var err error
			alloc := allocDuring(func() { _, err = Parse(bomb, testOpts()) })
			peak := peakHeapDuring(func() { _, _ = Parse(bomb, testOpts()) })
			t.Logf("allocated during Parse: %.2f MiB in all; peak heap growth %.2f MiB", float64(alloc)/(1<<20), float64(peak)/(1<<20))
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(fe.Message, tc.want) {
				t.Fatalf("want FormatError %q, got %v", tc.want, err)
			}
			if alloc > memLimit {
				t.Fatalf("allocated %d bytes, limit %d", alloc, memLimit)
			}
			if Looks(bomb) {
				t.Fatal("Looks = true")
			}
		})
	}
}

// sheetXML is a minimal worksheet holding rows.
func sheetXML(rows func(w io.Writer), extra string) func(w io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		rows(w)
		io.WriteString(w, `</sheetData>`+extra+`</worksheet>`)
	}
}

func replaceSheet(t testing.TB, data []byte, name string, body func(w io.Writer)) []byte {
	return rezip(t, data, func(zw *zip.Writer, f *zip.File) bool {
		if f.Name != name {
			return false
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		body(w)
		return true
	})
}

// TestManyRows: a 融资明细 of 100,000 rows is refused with a clear
// message, after streaming at most MaxRows rows; a 100,000-row sheet the
// parser does not read (an extra sheet) does not matter.
func TestManyRows(t *testing.T) {
	good := readFixture(t, "good.xlsx")
	var rowsXML bytes.Buffer
	writeRows := func(w io.Writer) {
		io.WriteString(w, `<row r="3"><c r="A3" t="inlineStr"><is><t>序号</t></is></c><c r="B3" t="inlineStr"><is><t>企业名称</t></is></c><c r="C3" t="inlineStr"><is><t>统一社会信用代码</t></is></c><c r="G3" t="inlineStr"><is><t>融资金额（万元）</t></is></c></row>`)
		var b []byte
		for i := 4; i < 100004; i++ {
			n := strconv.Itoa(i)
			b = append(b[:0], `<row r="`...)
			b = append(b, n...)
			b = append(b, `"><c r="A`...)
			b = append(b, n...)
			b = append(b, `"><v>`...)
			b = append(b, n...)
			b = append(b, `</v></c><c r="B`...)
			b = append(b, n...)
			b = append(b, `" t="inlineStr"><is><t>企业</t></is></c><c r="G`...)
			b = append(b, n...)
			b = append(b, `"><v>1</v></c></row>`...)
			w.Write(b)
		}
	}
	writeRows(&rowsXML)
	rows := func(w io.Writer) { w.Write(rowsXML.Bytes()) }
	start := time.Now()
	big := replaceSheet(t, good, "xl/worksheets/sheet2.xml", sheetXML(rows, ""))
	t.Logf("100,000-row workbook: %d bytes", len(big))
	t.Logf("built in %v", time.Since(start))
	var err error
	start = time.Now()
	alloc := allocDuring(func() { _, err = Parse(big, testOpts()) })
	t.Logf("allocated during Parse: %.2f MiB in all (%v)", float64(alloc)/(1<<20), time.Since(start))
	peak := peakHeapDuring(func() { _, _ = Parse(big, testOpts()) })
	t.Logf("peak heap growth during Parse: %.2f MiB", float64(peak)/(1<<20))
	if peak > memLimit {
		t.Fatalf("peak heap growth %d bytes, limit %d", peak, memLimit)
	}
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "工作表“融资明细”超过 10000 行") {
		t.Fatalf("want FormatError about rows, got %v", err)
	}
	if alloc > memLimit {
		t.Fatalf("allocated %d bytes, limit %d", alloc, memLimit)
	}

	// The same rows on a third sheet that Parse does not read.
	f, err := excelize.OpenReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("附表"); err != nil {
		t.Fatal(err)
	}
	extra := replaceSheet(t, fileBytes(t, f), "xl/worksheets/sheet4.xml", sheetXML(rows, ""))
	if len(extra) < len(big) {
		t.Fatal("the extra sheet was not replaced")
	}
	var rep *content.Report
	alloc = allocDuring(func() { rep, err = Parse(extra, testOpts()) })
	t.Logf("allocated during Parse (extra sheet): %.2f MiB", float64(alloc)/(1<<20))
	if err != nil {
		t.Fatalf("extra 100,000-row sheet: %v", err)
	}
	assertReport(t, goodReport(t), rep)
}

// TestWideRows: values far to the right (each row would cost excelize a
// 16,384-column slice) or too many cells are refused, not streamed.
func TestWideRows(t *testing.T) {
	good := readFixture(t, "good.xlsx")
	far := replaceSheet(t, good, "xl/worksheets/sheet2.xml", sheetXML(func(w io.Writer) {
		for i := 1; i <= 10000; i++ {
			fmt.Fprintf(w, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, i, i)
		}
	}, ""))
	many := replaceSheet(t, good, "xl/worksheets/sheet2.xml", sheetXML(func(w io.Writer) {
		var b []byte
		for i := 1; i <= 5000; i++ {
			b = append(b[:0], `<row>`...)
			for c := 0; c < 200; c++ {
				b = append(b, `<c><v>1</v></c>`...)
			}
			b = append(b, `</row>`...)
			w.Write(b)
		}
	}, ""))
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"far right": {far, "第 1 行在第 XFD 列还有内容，超过上限 256 列"},
		"1M cells":  {many, "内容过多（超过 200000 个单元格）"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			peak := peakHeapDuring(func() { _, err = Parse(tc.data, testOpts()) })
			t.Logf("%d bytes; peak heap growth during Parse: %.2f MiB", len(tc.data), float64(peak)/(1<<20))
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(fe.Message, tc.want) {
				t.Fatalf("want FormatError %q, got %v", tc.want, err)
			}
			if peak > memLimit {
				t.Fatalf("peak heap growth %d bytes, limit %d", peak, memLimit)
			}
		})
	}
}

// TestMerges: a worksheet with more merged ranges than MaxMerges is
// refused before excelize's merge handling (quadratic) runs.
func TestMerges(t *testing.T) {
	var extra strings.Builder
	extra.WriteString(`<mergeCells count="20000">`)
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&extra, `<mergeCell ref="A%d:B%d"/>`, i, i)
	}
	extra.WriteString(`</mergeCells>`)
	data := replaceSheet(t, readFixture(t, "good.xlsx"), "xl/worksheets/sheet2.xml", sheetXML(func(io.Writer) {}, extra.String()))
	_, err := Parse(data, testOpts())
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "合并单元格过多") {
		t.Fatalf("want FormatError about merges, got %v", err)
	}
}

// TestHostileFormulas: formulas without a cached value that would take
// unbounded work (whole-sheet ranges) or never end (a cycle) are reported,
// not computed.
func TestHostileFormulas(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]formula
		want []string
	}{
		// Whole-sheet and whole-column ranges are fine: they are clamped to
		// the used area (as excelize does).
		{"whole sheet", map[string]formula{"B9": "COUNTA(融资明细!A1:XFD1048576)*0+20"}, nil},
		{"whole column", map[string]formula{"B9": "SUM(C:C)+20"}, nil},
		{"cycle", map[string]formula{"B9": "B10+1", "B10": "B9+1"}, []string{
			"绩效评价考核表!B9: “服务企业数量（家）”：公式存在循环引用",
			"绩效评价考核表!B10: “其中：晋创谷注册企业（家）”：公式存在循环引用",
		}},
		{"self", map[string]formula{"B9": "SUM(B1:B20)"}, []string{"绩效评价考核表!B9: “服务企业数量（家）”：公式存在循环引用"}},
		// A function that could allocate without bound is not computed.
		{"rept", map[string]formula{"B9": `LEN(REPT("a",100000000))`}, []string{"绩效评价考核表!B9: “服务企业数量（家）”：公式使用了函数 LEN"}},
		{"nested rept", map[string]formula{"B9": "C9", "C9": `REPT(REPT("a",30000),30000)`}, []string{"绩效评价考核表!B9: “服务企业数量（家）”：公式使用了函数 REPT"}},
		{"defined name", map[string]formula{"B9": "Total"}, []string{"绩效评价考核表!B9: “服务企业数量（家）”：公式引用了名称 Total"}},
		{"array constant", map[string]formula{"B9": "SUM({10,10})"}, nil},
		{"other sheet", map[string]formula{"B9": "附表!A1"}, []string{"绩效评价考核表!B9: “服务企业数量（家）”：公式引用了工作表“附表”"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := goodSheet(t)
			for c, fm := range tc.set {
				x.put(t, SheetMain, c, fm)
			}
			_, err := Parse(x.bytes(t), testOpts())
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %v", err)
			}
			assertProblems(t, ps, tc.want)
		})
	}
}

// TestSharedStrings: a shared string table of millions of tiny entries
// (a few hundred KiB compressed) would cost excelize gigabytes and
// minutes; it is refused by size or by entry count before excelize
// opens it, and one just under the limits stays within bounded memory.
func TestSharedStrings(t *testing.T) {
	good := readFixture(t, "good.xlsx")
	sst := func(item string, n int) []byte {
		return rezip(t, good, func(zw *zip.Writer, f *zip.File) bool {
			if f.Name != "xl/sharedStrings.xml" {
				return false
			}
			w, err := zw.Create(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			io.WriteString(w, strings.Repeat(item, n))
			io.WriteString(w, `</sst>`)
			return true
		})
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string // FormatError message; "" for Problems (the strings are not the sheet's)
	}{
		{"42 MiB", sst(`<si><t>a</t></si>`, 2500000), "共享字符串超过 8 MiB"},
		{"625k empty entries", sst(`<si/>`, 625000), "文字条目过多（超过 50000 条）"},
		{"just under", sst(`<si><t>a</t></si>`, 49000), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			alloc := allocDuring(func() { _, err = Parse(tc.data, testOpts()) })
			t.Logf("%d bytes; allocated during Parse: %.2f MiB", len(tc.data), float64(alloc)/(1<<20))
			if alloc > memLimit {
				t.Fatalf("allocated %d bytes, limit %d", alloc, memLimit)
			}
			var fe *FormatError
			var ps Problems
			switch {
			case tc.want != "" && (!errors.As(err, &fe) || !strings.Contains(fe.Message, tc.want)):
				t.Fatalf("want FormatError %q, got %v", tc.want, err)
			case tc.want == "" && !errors.As(err, &ps):
				t.Fatalf("want Problems, got %v", err)
			}
		})
	}
}

// TestBigParts: a styles part that excelize would unmarshal whole is
// refused above MaxPartSize; one just under it stays within bounded
// memory.
func TestBigParts(t *testing.T) {
	good := readFixture(t, "good.xlsx")
	styles := func(n int) []byte {
		return rezip(t, good, func(zw *zip.Writer, f *zip.File) bool {
			if f.Name != "xl/styles.xml" {
				return false
			}
			w, err := zw.Create(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`)
			for i := 0; i < n; i++ {
				fmt.Fprintf(w, `<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0"/>`, i%200)
			}
			io.WriteString(w, `</cellXfs></styleSheet>`)
			return true
		})
	}
	big := styles(80000) // about 5 MiB
	_, err := Parse(big, testOpts())
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "“xl/styles.xml”过大") {
		t.Fatalf("want FormatError about styles.xml, got %v", err)
	}
	under := styles(60000) // about 3.8 MiB
	peak := peakHeapDuring(func() { _, err = Parse(under, testOpts()) })
	t.Logf("styles just under the limit: peak heap growth %.2f MiB (%v)", float64(peak)/(1<<20), err)
	if peak > memLimit {
		t.Fatalf("peak heap growth %d bytes, limit %d", peak, memLimit)
	}
}
