package main

import (
	"bufio"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"
)

// shrinkFactor is how much smaller than freeze's 4x raster a picture is
// kept: 2x of the terminal's pixels stays crisp on a high-density screen.
const shrinkFactor = 2

// shrink rewrites the PNG at path at 1/shrinkFactor of its size (each
// pixel the mean of a shrinkFactor² box) with a palette of at most 256
// colours: a terminal picture has a handful of colours and their
// antialiased blends, so a paletted PNG keeps it sharp at a tenth of the
// bytes of freeze's 4x RGBA (1.5-3.5 MB each before).
func shrink(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	src, err := png.Decode(bufio.NewReader(f))
	f.Close()
	if err != nil {
		return fmt.Errorf("shrink %s: %w", path, err)
	}
	small := paletted(downscale(src, shrinkFactor))
	tmp := path + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, small); err != nil {
		out.Close()
		os.Remove(tmp)
		return fmt.Errorf("shrink %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// downscale averages each k×k box of src into one pixel.
func downscale(src image.Image, k int) *image.NRGBA {
	b := src.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var r, g, bl, a uint32
			for dy := range k {
				for dx := range k {
					cr, cg, cb, ca := src.At(b.Min.X+x*k+dx, b.Min.Y+y*k+dy).RGBA()
					r, g, bl, a = r+cr, g+cg, bl+cb, a+ca
				}
			}
			n := uint32(k * k)
			c := color.RGBA64{R: uint16(r / n), G: uint16(g / n), B: uint16(bl / n), A: uint16(a / n)}
			dst.Set(x, y, c)
		}
	}
	return dst
}

// paletted maps img to its 256 most frequent colours, each pixel to the
// nearest of them (no dithering: dithered text looks grainy).
func paletted(img *image.NRGBA) *image.Paletted {
	counts := map[color.NRGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[img.NRGBAAt(x, y)]++
		}
	}
	colors := make([]color.NRGBA, 0, len(counts))
	for c := range counts {
		colors = append(colors, c)
	}
	// Most frequent first; ties by value, so the palette is deterministic.
	slices.SortFunc(colors, func(a, b color.NRGBA) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(uint32(a.R)<<24|uint32(a.G)<<16|uint32(a.B)<<8|uint32(a.A),
			uint32(b.R)<<24|uint32(b.G)<<16|uint32(b.B)<<8|uint32(b.A))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(len(colors), 256)] {
		pal = append(pal, c)
	}
	dst := image.NewPaletted(b, pal)
	nearest := map[color.NRGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.NRGBAAt(x, y)
			i, ok := nearest[c]
			if !ok {
				i = uint8(pal.Index(c))
				nearest[c] = i
			}
			dst.SetColorIndex(x, y, i)
		}
	}
	return dst
}
