package content

import (
	"reflect"
	"testing"
)

// TestIndicatorFields checks that IndicatorFields names every figure of
// Indicators once, by its front-matter key, and reads the right field.
func TestIndicatorFields(t *testing.T) {
	typ := reflect.TypeOf(Indicators{})
	if len(IndicatorFields) != typ.NumField() {
		t.Fatalf("%d fields named, Indicators has %d", len(IndicatorFields), typ.NumField())
	}
	for i, f := range IndicatorFields {
		sf := typ.Field(i)
		if tag := sf.Tag.Get("yaml"); tag != f.Key {
			t.Errorf("field %d: key %q, Indicators has %q", i, f.Key, tag)
		}
		var in Indicators
		v := reflect.ValueOf(&in).Elem().Field(i)
		v.SetInt(int64(1000 + i))
		if got := f.Get(&in); got != int64(1000+i) {
			t.Errorf("%s: Get = %d, want %d", f.Key, got, 1000+i)
		}
		if f.Money != (sf.Type == reflect.TypeOf(Wan(0))) {
			t.Errorf("%s: Money = %v for a %s", f.Key, f.Money, sf.Type)
		}
		if g, ok := IndicatorFieldOf(f.Key); !ok || g.Label != f.Label {
			t.Errorf("IndicatorFieldOf(%s) = %v, %v", f.Key, g.Label, ok)
		}
	}
	f, _ := IndicatorFieldOf("financing_wan")
	if got := f.LabelWithUnit() + " " + f.Format(150050); got != "帮助企业融资金额（万元） 1500.50" {
		t.Errorf("money: %q", got)
	}
}
