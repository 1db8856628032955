package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestShrink: a picture comes back half as wide and high, paletted, with
// its colours where they were (a two-colour picture keeps both exactly).
func TestShrink(t *testing.T) {
	dark, light := color.NRGBA{13, 17, 23, 255}, color.NRGBA{230, 237, 243, 255}
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := dark
			if x >= 20 {
				c = light
			}
			img.SetNRGBA(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "a.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := shrink(path); err != nil {
		t.Fatal(err)
	}
	f, err = os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := got.(*image.Paletted)
	if !ok || got.Bounds().Dx() != 20 || got.Bounds().Dy() != 10 {
		t.Fatalf("got %T %v, want a 20x10 paletted image", got, got.Bounds())
	}
	if c := color.NRGBAModel.Convert(p.At(2, 2)); c != dark {
		t.Errorf("left half %v, want %v", c, dark)
	}
	if c := color.NRGBAModel.Convert(p.At(17, 7)); c != light {
		t.Errorf("right half %v, want %v", c, light)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
}
