package site

import (
	"fmt"
	"html/template"
	"strings"
)

// barChart draws a bar chart as inline SVG at build time: no chart library
// runs in the browser. The numbers are always also given in a table next to
// the chart; the SVG carries a title and a summary for screen readers.
// Money values are in hundredths of 万元.
func barChart(id, title string, labels []string, values []int64, money bool, unit string) template.HTML {
	const w, h, left, right, top, bottom = 720, 260, 64, 12, 16, 44
	var max int64
	for _, v := range values {
		if v > max {
			max = v
		}
	}
	step := niceStep(max)
	ymax := step * 4
	if ymax == 0 {
		ymax = 4
		step = 1
	}
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	var b strings.Builder
	sum := summary(labels, values, money, unit)
	fmt.Fprintf(&b, `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d">`, w, h, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, template.HTMLEscapeString(title), id, template.HTMLEscapeString(sum))
	for i := int64(0); i <= 4; i++ {
		y := float64(top) + ph - ph*float64(i*step)/float64(ymax)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d0d0d0"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#333">%s</text>`, left-6, y+4, axisLabel(i*step, money))
	}
	n := len(values)
	if n > 0 {
		slot := pw / float64(n)
		bw := slot * 0.7
		every := 1
		for n/every > 12 {
			every++
		}
		for i, v := range values {
			x := float64(left) + slot*float64(i) + (slot-bw)/2
			bh := ph * float64(v) / float64(ymax)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#8f1d1d"><title>%s：%s%s</title></rect>`,
				x, float64(top)+ph-bh, bw, bh, template.HTMLEscapeString(labels[i]), formatValue(v, money), unit)
			if i%every == 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="#333">%s</text>`, x+bw/2, h-bottom+16, template.HTMLEscapeString(labels[i]))
			}
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, left, top+int(ph), w-right, top+int(ph))
	fmt.Fprintf(&b, `</svg><figcaption>%s（单位：%s）</figcaption></figure>`, template.HTMLEscapeString(title), unit)
	return template.HTML(b.String())
}

func summary(labels []string, values []int64, money bool, unit string) string {
	if len(values) == 0 {
		return "无数据"
	}
	var total, max int64
	maxAt := 0
	for i, v := range values {
		total += v
		if v > max {
			max, maxAt = v, i
		}
	}
	return fmt.Sprintf("%s至%s共%d期，合计%s%s，最高为%s的%s%s。详细数值见下表。", labels[0], labels[len(labels)-1], len(values),
		formatValue(total, money), unit, labels[maxAt], formatValue(max, money), unit)
}

// niceStep returns a round step so that 4 steps cover max.
func niceStep(max int64) int64 {
	if max <= 0 {
		return 0
	}
	raw := (max + 3) / 4
	p := int64(1)
	for p*10 <= raw {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func axisLabel(v int64, money bool) string {
	if money {
		v /= 100
	}
	return fmt.Sprint(v)
}
